`default_nettype none
// Turns row-major A data into the core's k-column entries.
// Input: groups of ARRAY_N x G beats of BUS_W bits (W = BUS_W / 8 bytes, byte w at bits
// 8w+7:8w), row-major: beat r*G + c of a group holds A[row r][k0 + c*W .. k0 + c*W + W - 1],
// i.e. each row's G consecutive bus words (one read burst of the controller), row after row.
// `in_addr` (= where k0 goes) and `in_chunks` (G, 1..GMAX) are sampled with the group's first
// beat. Output: G*W buffer writes, entry k0 + c*W + w holding byte r = A[row r][k0 + c*W + w].
// Two group banks: one fills while the other empties; with W <= ARRAY_N emptying a bank
// (G*W cycles) is never slower than filling the other (ARRAY_N*G beats), so the input never
// stalls at one beat per cycle. in_ready is a register (bank free), with no path from the output.
module a_transposer #(
    parameter integer ARRAY_N = 8,   // rows per group = bytes per output entry
    parameter integer BUS_W   = 64,  // input beat width in bits
    parameter integer AW      = 13,  // buffer address width
    parameter integer GMAX    = 8    // most bus words per row in a group (power of two, >= 2)
) (
    input  wire                   clk,
    input  wire                   rst,
    // row beats
    input  wire                   in_valid,
    output wire                   in_ready,
    input  wire [BUS_W-1:0]       in_data,
    input  wire [AW-1:0]          in_addr,    // sampled with the first beat of a group
    input  wire [$clog2(GMAX):0]  in_chunks,  // G (1..GMAX), sampled with the first beat of a group
    output wire                   idle,       // nothing held: every taken beat has been written
    // buffer writes
    output reg                    wr_en,
    output reg  [AW-1:0]          wr_addr,
    output reg  [ARRAY_N*8-1:0]   wr_data
);
    localparam integer W  = BUS_W / 8;
    localparam integer GB = $clog2(GMAX);                     // chunk index bits
    localparam integer RB = (ARRAY_N > 1) ? $clog2(ARRAY_N) : 1;
    localparam integer WB = (W > 1) ? $clog2(W) : 1;
    localparam integer NE = 2 * GMAX;                          // words per row memory

    // one memory per row: word {bank, chunk}
    reg [BUS_W-1:0] rowmem [0:ARRAY_N*NE-1];

    // fill side
    reg          f_bank;
    reg [RB:0]   f_r;
    reg [GB:0]   f_c, f_g;        // chunk in the row; chunks of this group
    reg [AW-1:0] f_addr;
    // per bank: full, its first entry, its chunk count
    reg [1:0]    full;
    reg [AW-1:0] b_addr [0:1];
    reg [GB:0]   b_g    [0:1];
    // emit side
    reg          e_bank;
    reg [GB:0]   e_c;
    reg [WB:0]   e_w;

    wire         first = (f_r == {(RB+1){1'b0}}) && (f_c == {(GB+1){1'b0}});
    wire [GB:0]  g_now = first ? in_chunks : f_g;
    assign in_ready = !full[f_bank];
    assign idle = (full == 2'b00) && first;
    wire take = in_valid && in_ready;
    wire last_c = (f_c == g_now - 1'b1);
    wire last_beat = last_c && (f_r == ARRAY_N[RB:0] - 1'b1);

    wire emitting = full[e_bank];
    wire e_last_w = (e_w == W[WB:0] - 1'b1);
    wire e_done = emitting && e_last_w && (e_c == b_g[e_bank] - 1'b1);

    integer i;
    always @(posedge clk) begin
        if (take)
            rowmem[{f_r[RB-1:0], f_bank, f_c[GB-1:0]}] <= in_data;
    end

    always @(posedge clk) begin
        if (rst) begin
            f_bank <= 1'b0; f_r <= {(RB+1){1'b0}}; f_c <= {(GB+1){1'b0}}; f_g <= {(GB+1){1'b0}};
            f_addr <= {AW{1'b0}}; full <= 2'b00; e_bank <= 1'b0; e_c <= {(GB+1){1'b0}};
            e_w <= {(WB+1){1'b0}};
            b_addr[0] <= {AW{1'b0}}; b_addr[1] <= {AW{1'b0}};
            b_g[0] <= {(GB+1){1'b0}}; b_g[1] <= {(GB+1){1'b0}};
            wr_en <= 1'b0; wr_addr <= {AW{1'b0}}; wr_data <= {ARRAY_N*8{1'b0}};
        end else begin
            wr_en <= 1'b0;
            // emit: entry k0 + c*W + w, byte r from row r's word {bank, c}
            if (emitting) begin
                wr_en   <= 1'b1;
                wr_addr <= b_addr[e_bank] + {{(AW-GB-WB-1){1'b0}}, e_c[GB-1:0], e_w[WB-1:0]};
                for (i = 0; i < ARRAY_N; i = i + 1)
                    wr_data[8*i +: 8] <= rowmem[i * NE + {{(31-GB){1'b0}}, e_bank, e_c[GB-1:0]}][8*e_w[WB-1:0] +: 8];
                if (e_last_w) begin
                    e_w <= {(WB+1){1'b0}};
                    if (e_done) begin
                        e_c <= {(GB+1){1'b0}};
                        e_bank <= !e_bank;
                    end else e_c <= e_c + 1'b1;
                end else e_w <= e_w + 1'b1;
            end
            // fill
            if (take) begin
                if (first) begin
                    f_addr <= in_addr; f_g <= in_chunks;
                end
                if (last_c) begin
                    f_c <= {(GB+1){1'b0}};
                    f_r <= last_beat ? {(RB+1){1'b0}} : f_r + 1'b1;
                end else f_c <= f_c + 1'b1;
                if (last_beat) begin
                    b_addr[f_bank] <= first ? in_addr : f_addr;
                    b_g[f_bank] <= g_now;
                    f_bank <= !f_bank;
                end
            end
            full[0] <= (full[0] && !(e_done && !e_bank)) || (take && last_beat && !f_bank);
            full[1] <= (full[1] && !(e_done && e_bank)) || (take && last_beat && f_bank);
        end
    end
endmodule
`default_nettype wire
