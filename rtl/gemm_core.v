`default_nettype none
// Compute core: on-chip A/B/param buffers, a tile sequencer, the systolic array, N requant
// lanes and a result FIFO with credit-based flow control. See docs/core.md for the interface
// and timing; models/chip/golden.py for the arithmetic.
module gemm_core #(
    parameter integer ARRAY_N    = 8,          // array is ARRAY_N x ARRAY_N PEs
    parameter integer BUF_DEPTH  = 1024,       // entries in each of the A and B buffers
    parameter integer P_DEPTH    = 16,         // entries in the bias/scale param buffer
    parameter integer FIFO_DEPTH = 4*ARRAY_N   // result rows the output FIFO holds (power of 2)
) (
    input  wire                    clk,
    input  wire                    rst,
    // A buffer write: entry = one k-column of an ARRAY_N-row A panel (byte i = A[i][k])
    input  wire                    a_wr_en,
    input  wire [((BUF_DEPTH > 1) ? $clog2(BUF_DEPTH) : 1)-1:0]           a_wr_addr,
    input  wire [ARRAY_N*8-1:0]    a_wr_data,
    // B buffer write: entry = one k-row of an ARRAY_N-column B panel (byte j = B[k][j])
    input  wire                    b_wr_en,
    input  wire [((BUF_DEPTH > 1) ? $clog2(BUF_DEPTH) : 1)-1:0]           b_wr_addr,
    input  wire [ARRAY_N*8-1:0]    b_wr_data,
    // param write: lane j = {scale[j], bias[j]}
    input  wire                    p_wr_en,
    input  wire [((P_DEPTH > 1) ? $clog2(P_DEPTH) : 1)-1:0]           p_wr_addr,
    input  wire [ARRAY_N*64-1:0]   p_wr_data,
    // tile commands
    input  wire                    cmd_valid,
    output wire                    cmd_ready,
    input  wire [((BUF_DEPTH > 1) ? $clog2(BUF_DEPTH) : 1)-1:0]           cmd_a_base,
    input  wire [((BUF_DEPTH > 1) ? $clog2(BUF_DEPTH) : 1)-1:0]           cmd_b_base,
    input  wire [15:0]             cmd_k,
    input  wire [((P_DEPTH > 1) ? $clog2(P_DEPTH) : 1)-1:0]           cmd_p_addr,
    input  wire [5:0]              cmd_shift,
    // 0 out_int8, 1 relu, 2 bias_en, 3 acc_continue (keep the sums of the previous command),
    // 4 no_emit (leave the sums in the array for a following acc_continue command), 5 reserved
    input  wire [5:0]              cmd_flags,
    input  wire [15:0]             cmd_tag,
    // result rows
    output wire                    res_valid,
    input  wire                    res_ready,
    output wire [ARRAY_N*32-1:0]   res_data,
    output wire [15:0]             res_tag,
    output wire [((ARRAY_N > 1) ? $clog2(ARRAY_N) : 1)-1:0]           res_row,
    output wire                    res_last,
    // refused commands
    output reg                     err_valid,
    output reg  [3:0]              err_code,
    // status
    output wire                    busy,
    output wire                    issuing,     // operands are being read from the buffers
    output reg  [31:0]             tiles_done,
    output reg  [31:0]             active_cycles
);
    localparam integer AW = (BUF_DEPTH > 1) ? $clog2(BUF_DEPTH) : 1;
    localparam integer PW = (P_DEPTH > 1) ? $clog2(P_DEPTH) : 1;
    localparam integer RW = (ARRAY_N > 1) ? $clog2(ARRAY_N) : 1;
    localparam integer FW = $clog2(FIFO_DEPTH) + 1;
    localparam integer INFO_W = 16 + 3 + 6 + PW;          // tag, flags, shift, p_addr
    localparam integer ROW_W  = ARRAY_N*32 + 16 + RW + 1;  // lanes, tag, row, last

    localparam [3:0] E_K_ZERO = 4'd1, E_K_BIG = 4'd2, E_A_RANGE = 4'd3, E_B_RANGE = 4'd4,
                     E_P_RANGE = 4'd5, E_FLAGS = 4'd6;

    // ---------------- command checks ----------------
    wire [31:0] k32      = {16'd0, cmd_k};
    wire [31:0] a_end    = {{(32-AW){1'b0}}, cmd_a_base} + k32;
    wire [31:0] b_end    = {{(32-AW){1'b0}}, cmd_b_base} + k32;
    wire [31:0] p32      = {{(32-PW){1'b0}}, cmd_p_addr};
    wire [3:0]  cmd_err  = (cmd_k == 16'd0)                  ? E_K_ZERO  :
                           (k32 > BUF_DEPTH)                 ? E_K_BIG   :
                           (a_end > BUF_DEPTH)               ? E_A_RANGE :
                           (b_end > BUF_DEPTH)               ? E_B_RANGE :
                           (p32 >= P_DEPTH)                  ? E_P_RANGE :
                           cmd_flags[5]                      ? E_FLAGS   : 4'd0;

    // ---------------- sequencer ----------------
    reg          running;
    reg  [15:0]  slot;        // issue slot within the current tile, 0 .. interval-1
    reg  [15:0]  last_slot;   // max(K, ARRAY_N) - 1
    reg  [15:0]  cur_k;
    reg          cur_continue, cur_emit;
    reg  [AW-1:0] cur_a_base, cur_b_base;
    reg  [FW-1:0] reserved;   // result rows promised to accepted tiles and not yet popped

    wire [31:0] reserved32 = {{(32-FW){1'b0}}, reserved};
    wire credits_ok = (reserved32 + ARRAY_N) <= FIFO_DEPTH;
    wire slot_free  = !running || (slot == last_slot);
    assign cmd_ready = !rst && credits_ok && slot_free;
    wire accept     = cmd_valid && cmd_ready;
    wire accept_ok  = accept && (cmd_err == 4'd0);
    wire accept_emit = accept_ok && !cmd_flags[4];  // only emitting commands produce rows

    // A tile with K < ARRAY_N idles first and issues its K operands in the final slots, so the
    // `last` operands of consecutive tiles are always >= ARRAY_N cycles apart (drain spacing).
    reg  [15:0]   kidx;       // operand index within the tile
    wire [16:0]   slot_plus_k = {1'b0, slot} + {1'b0, cur_k};
    wire          issue       = running && (slot_plus_k > {1'b0, last_slot});
    wire          issue_first = issue && (kidx == 16'd0) && !cur_continue;
    wire          issue_last  = issue && (kidx == cur_k - 16'd1) && cur_emit;
    wire [AW-1:0] a_rd_addr   = cur_a_base + kidx[AW-1:0];
    wire [AW-1:0] b_rd_addr   = cur_b_base + kidx[AW-1:0];

    wire [15:0] cmd_last_slot = (k32 > ARRAY_N) ? (cmd_k - 16'd1) : (ARRAY_N[15:0] - 16'd1);

    always @(posedge clk) begin
        if (rst) begin
            running <= 1'b0; slot <= 16'd0; last_slot <= 16'd0; cur_k <= 16'd0; kidx <= 16'd0;
            cur_continue <= 1'b0; cur_emit <= 1'b1;
            cur_a_base <= {AW{1'b0}}; cur_b_base <= {AW{1'b0}};
            err_valid <= 1'b0; err_code <= 4'd0;
        end else begin
            err_valid <= accept && (cmd_err != 4'd0);
            if (accept && (cmd_err != 4'd0)) err_code <= cmd_err;
            if (accept_ok) begin
                running    <= 1'b1;
                slot       <= 16'd0;
                kidx       <= 16'd0;
                last_slot  <= cmd_last_slot;
                cur_k      <= cmd_k;
                cur_continue <= cmd_flags[3];
                cur_emit     <= !cmd_flags[4];
                cur_a_base <= cmd_a_base;
                cur_b_base <= cmd_b_base;
            end else if (running) begin
                if (issue) kidx <= kidx + 16'd1;
                if (slot == last_slot) running <= 1'b0;
                else slot <= slot + 16'd1;
            end
        end
    end

    // ---------------- buffers ----------------
    wire [ARRAY_N*8-1:0]  a_rd_data, b_rd_data;
    wire [ARRAY_N*64-1:0] p_rd_data;
    sdp_ram #(.WIDTH(ARRAY_N*8), .DEPTH(BUF_DEPTH)) u_a_buf (
        .clk(clk), .wr_en(a_wr_en), .wr_addr(a_wr_addr), .wr_data(a_wr_data),
        .rd_en(1'b1), .rd_addr(a_rd_addr), .rd_data(a_rd_data));
    sdp_ram #(.WIDTH(ARRAY_N*8), .DEPTH(BUF_DEPTH)) u_b_buf (
        .clk(clk), .wr_en(b_wr_en), .wr_addr(b_wr_addr), .wr_data(b_wr_data),
        .rd_en(1'b1), .rd_addr(b_rd_addr), .rd_data(b_rd_data));

    // flags aligned with the registered buffer outputs
    reg v_q, f_q, l_q;
    always @(posedge clk) begin
        if (rst) begin v_q <= 1'b0; f_q <= 1'b0; l_q <= 1'b0; end
        else begin v_q <= issue; f_q <= issue_first; l_q <= issue_last; end
    end

    // ---------------- array ----------------
    wire [RW-1:0]         rd_row;
    wire [ARRAY_N*32-1:0] rd_data;
    systolic_array #(.ARRAY_N(ARRAY_N)) u_array (
        .clk(clk), .rst(rst),
        .a_edge(a_rd_data), .b_edge(b_rd_data),
        .valid_edge(v_q), .first_edge(f_q), .last_edge(l_q),
        .rd_row(rd_row), .rd_data(rd_data));

    // ---------------- tile info queue (accept order = drain order) ----------------
    wire              info_valid;
    wire [INFO_W-1:0] info_head;
    /* verilator lint_off PINCONNECTEMPTY */  // occupancy of this queue is not needed
    sync_fifo #(.WIDTH(INFO_W), .DEPTH(8)) u_info (
        .clk(clk), .rst(rst),
        .in_valid(accept_emit), .in_ready(),
        .in_data({cmd_tag, cmd_flags[2:0], cmd_shift, cmd_p_addr}),
        .out_valid(info_valid), .out_ready(drain_start), .out_data(info_head), .count());
    /* verilator lint_on PINCONNECTEMPTY */

    // ---------------- drain: row r of a tile is read ARRAY_N + 1 + r cycles after its last
    // operands left the buffers (PE(r, ARRAY_N-1) has captured it by then) ----------------
    reg  [ARRAY_N-1:0] drain_dly;
    wire               drain_start = drain_dly[ARRAY_N-1];
    reg                drain_active;
    reg  [RW-1:0]      drain_row;
    reg  [INFO_W-1:0]  drain_info;
    wire [INFO_W-1:0]  info_now = drain_start ? info_head : drain_info;
    wire               row_valid = drain_start || drain_active;
    assign rd_row = drain_start ? {RW{1'b0}} : drain_row;

    always @(posedge clk) begin
        if (rst) begin
            drain_dly <= {ARRAY_N{1'b0}}; drain_active <= 1'b0; drain_row <= {RW{1'b0}};
            drain_info <= {INFO_W{1'b0}};
        end else begin
            drain_dly <= {drain_dly[ARRAY_N-2:0], l_q};
            if (drain_start) begin
                drain_info   <= info_head;
                drain_row    <= {{(RW-1){1'b0}}, 1'b1};
                drain_active <= 1'b1;
            end else if (drain_active) begin
                drain_row <= drain_row + 1'b1;
                if (drain_row == ARRAY_N[RW-1:0] - 1'b1) drain_active <= 1'b0;
            end
        end
    end

    // param entry of the draining tile, read at drain start, valid from the next cycle on
    sdp_ram #(.WIDTH(ARRAY_N*64), .DEPTH(P_DEPTH)) u_param (
        .clk(clk), .wr_en(p_wr_en), .wr_addr(p_wr_addr), .wr_data(p_wr_data),
        .rd_en(drain_start), .rd_addr(info_head[PW-1:0]), .rd_data(p_rd_data));

    // row register: one result row with its side band
    reg                   row_q_valid;
    reg [ARRAY_N*32-1:0]  row_q_data;
    reg [RW-1:0]          row_q_idx;
    reg [INFO_W-1:0]      row_q_info;
    always @(posedge clk) begin
        if (rst) begin
            row_q_valid <= 1'b0; row_q_data <= {ARRAY_N*32{1'b0}};
            row_q_idx <= {RW{1'b0}}; row_q_info <= {INFO_W{1'b0}};
        end else begin
            row_q_valid <= row_valid;
            row_q_data  <= rd_data;
            row_q_idx   <= rd_row;
            row_q_info  <= info_now;
        end
    end
    wire [15:0] q_tag   = row_q_info[INFO_W-1 -: 16];
    wire [2:0]  q_flags = row_q_info[PW+6 +: 3];
    wire [5:0]  q_shift = row_q_info[PW +: 6];

    // ---------------- output stage lanes ----------------
    wire [ARRAY_N-1:0]    lane_valid;
    wire [ARRAY_N*32-1:0] lane_out;
    genvar j;
    generate
        for (j = 0; j < ARRAY_N; j = j + 1) begin : g_lane
            requant u_requant (
                .clk(clk), .rst(rst), .in_valid(row_q_valid),
                .acc(row_q_data[32*j +: 32]),
                .bias(p_rd_data[64*j +: 32]), .scale(p_rd_data[64*j+32 +: 32]),
                .shift(q_shift), .bias_en(q_flags[2]), .relu(q_flags[1]), .out_int8(q_flags[0]),
                .out_valid(lane_valid[j]), .out(lane_out[32*j +: 32]));
        end
    endgenerate

    // side band delayed to match the three requant stages
    reg [16+RW+1-1:0] side_d1, side_d2, side_d3;
    always @(posedge clk) begin
        if (rst) begin
            side_d1 <= 0; side_d2 <= 0; side_d3 <= 0;
        end else begin
            side_d1 <= {q_tag, row_q_idx, (row_q_idx == ARRAY_N[RW-1:0] - 1'b1)};
            side_d2 <= side_d1;
            side_d3 <= side_d2;
        end
    end

    // ---------------- result FIFO ----------------
    wire [ROW_W-1:0] fifo_out;
    wire             res_pop = res_valid && res_ready;
    /* verilator lint_off PINCONNECTEMPTY */  // credits guarantee room: in_ready and count unused
    sync_fifo #(.WIDTH(ROW_W), .DEPTH(FIFO_DEPTH)) u_result_fifo (
        .clk(clk), .rst(rst),
        .in_valid(lane_valid[0]), .in_ready(), .in_data({side_d3, lane_out}),
        .out_valid(res_valid), .out_ready(res_ready), .out_data(fifo_out), .count());
    /* verilator lint_on PINCONNECTEMPTY */
    assign res_data = fifo_out[ARRAY_N*32-1:0];
    assign res_last = fifo_out[ARRAY_N*32];
    assign res_row  = fifo_out[ARRAY_N*32+1 +: RW];
    assign res_tag  = fifo_out[ARRAY_N*32+1+RW +: 16];

    // ---------------- credits and status ----------------
    always @(posedge clk) begin
        if (rst) begin
            reserved <= {FW{1'b0}}; tiles_done <= 32'd0; active_cycles <= 32'd0;
        end else begin
            reserved <= reserved + (accept_emit ? ARRAY_N[FW-1:0] : {FW{1'b0}})
                                 - {{(FW-1){1'b0}}, res_pop};
            if (res_pop && res_last) tiles_done <= tiles_done + 32'd1;
            if (issue) active_cycles <= active_cycles + 32'd1;
        end
    end
    assign busy = running || (reserved != {FW{1'b0}});
    assign issuing = running;

    // unused: the info queue cannot fill (at most FIFO_DEPTH/ARRAY_N tiles hold credits)
    // (the p_addr field of row_q_info was used at drain start to read the param entry)
    wire unused_ok = &{1'b0, info_valid, lane_valid[ARRAY_N-1:1], row_q_info[PW-1:0]};
endmodule
`default_nettype wire
