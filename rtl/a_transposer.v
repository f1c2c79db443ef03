`default_nettype none
// Turns row-major A data into the core's k-column entries.
// Input: beats of BUS_W bits, ARRAY_N of them per group, beat i of a group holding
// A[row i][k0 .. k0 + W - 1] (W = BUS_W / 8 bytes, byte w at bits 8w+7:8w), with the group's
// first entry address `in_addr` (= where k0 goes). Output: W buffer writes, entry k0 + w
// holding byte i = A[row i][k0 + w]. Two group registers: one fills while the other empties,
// so with W <= ARRAY_N the input never stalls.
module a_transposer #(
    parameter integer ARRAY_N = 8,   // rows per group = bytes per output entry
    parameter integer BUS_W   = 64,  // input beat width in bits
    parameter integer AW      = 13   // buffer address width
) (
    input  wire                   clk,
    input  wire                   rst,
    // row beats
    input  wire                   in_valid,
    output wire                   in_ready,
    input  wire [BUS_W-1:0]       in_data,
    input  wire [AW-1:0]          in_addr,   // sampled with the first beat of a group
    output wire                   idle,      // nothing held: every taken beat has been written
    // buffer writes
    output reg                    wr_en,
    output reg  [AW-1:0]          wr_addr,
    output reg  [ARRAY_N*8-1:0]   wr_data
);
    localparam integer W  = BUS_W / 8;
    localparam integer RW = $clog2(ARRAY_N) + 1;
    localparam integer WW = $clog2(W) + 1;

    reg [BUS_W-1:0] fill [0:ARRAY_N-1];   // group being filled
    reg [BUS_W-1:0] hold [0:ARRAY_N-1];   // group being emitted
    reg [RW-1:0]    fill_cnt;
    reg [AW-1:0]    fill_addr, hold_addr;
    reg             hold_full;
    reg [WW-1:0]    emit_idx;

    wire last_of_group = (fill_cnt == ARRAY_N[RW-1:0] - 1'b1);
    // the last beat of a group needs the hold registers free (or freeing this cycle)
    wire hold_frees = hold_full && (emit_idx == W[WW-1:0] - 1'b1);
    assign in_ready = !last_of_group || !hold_full || hold_frees;
    assign idle = !hold_full && (fill_cnt == {RW{1'b0}});
    wire take = in_valid && in_ready;

    integer i;
    always @(posedge clk) begin
        if (rst) begin
            fill_cnt <= {RW{1'b0}}; hold_full <= 1'b0; emit_idx <= {WW{1'b0}};
            wr_en <= 1'b0; wr_addr <= {AW{1'b0}}; wr_data <= {ARRAY_N*8{1'b0}};
            fill_addr <= {AW{1'b0}}; hold_addr <= {AW{1'b0}};
        end else begin
            wr_en <= 1'b0;
            if (hold_full) begin
                wr_en   <= 1'b1;
                wr_addr <= hold_addr + {{(AW-WW){1'b0}}, emit_idx};
                for (i = 0; i < ARRAY_N; i = i + 1)
                    wr_data[8*i +: 8] <= hold[i][8*emit_idx +: 8];
                if (emit_idx == W[WW-1:0] - 1'b1) begin
                    emit_idx  <= {WW{1'b0}};
                    hold_full <= 1'b0;
                end else begin
                    emit_idx <= emit_idx + 1'b1;
                end
            end
            if (take) begin
                fill[fill_cnt[RW-2:0]] <= in_data;
                if (fill_cnt == {RW{1'b0}}) fill_addr <= in_addr;
                if (last_of_group) begin
                    fill_cnt  <= {RW{1'b0}};
                    hold_full <= 1'b1;
                    hold_addr <= (fill_cnt == {RW{1'b0}}) ? in_addr : fill_addr;
                    for (i = 0; i < ARRAY_N - 1; i = i + 1) hold[i] <= fill[i];
                    hold[ARRAY_N-1] <= in_data;
                end else begin
                    fill_cnt <= fill_cnt + 1'b1;
                end
            end
        end
    end
endmodule
`default_nettype wire
