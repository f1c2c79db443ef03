`default_nettype none
// The GEMM engine: the tiling controller, the A transposer and the compute core, joined. It runs
// GEMMs (one descriptor, or a chain from memory) against a request-level memory port: reads of
// rq_beats contiguous beats (one beat each when read_bursts = 0) returned in order, and writes of one C row slice each (a command of wq_beats beats with
// byte strobes, acknowledged by one wr_resp). rtl/csai_chip.v puts the register file and the
// AXI DMA around it; tb/hdl/ctrl_harness.v puts an ideal memory around it to test it alone.
// Reset: `rst` is synchronous and active high.
module gemm_engine #(
    parameter integer ARRAY_N   = 8,             // systolic array is ARRAY_N x ARRAY_N
    parameter integer BUS_W     = 64,            // memory port data width in bits
    parameter integer KMAX      = 2048,          // longest reduction held on chip
    parameter integer A_PANELS  = 4,             // A row tiles kept per row block
    parameter [31:0]  MEM_BYTES = 32'h0100_0000, // every operand must lie below this
    parameter integer CHAIN_MAX = 4096           // descriptors one START may run (1..65535)
) (
    input  wire               clk,
    input  wire               rst,
    // ---- control and descriptor (the register file's outputs) ----
    input  wire               start,
    input  wire               soft_reset,
    input  wire               overlap_enable,
    input  wire               chain_enable,
    input  wire               read_bursts,   // 1: contiguous reads as bursts; 0: one beat each
    input  wire [31:0]        chain_addr,
    input  wire [31:0]        r_a_addr, r_b_addr, r_c_addr, r_bias_addr, r_map_addr,
    input  wire [15:0]        r_m, r_n, r_k,
    input  wire [31:0]        r_lda, r_ldb, r_ldc, r_scale,
    input  wire [5:0]         r_shift,
    input  wire [4:0]         r_flags,
    // ---- status and performance counters ----
    output wire               busy,
    output wire               done_pulse,
    output wire               error_pulse,
    output wire [7:0]         error_code,
    output wire [31:0]        cnt_total, cnt_compute, cnt_stall, cnt_bytes_rd, cnt_bytes_wr,
    output wire [31:0]        cnt_tiles, cnt_skipped,
    // ---- memory port: reads of rq_beats beats (1..16, never past MEM_BYTES), in order ----
    output wire               rq_valid,
    input  wire               rq_ready,
    output wire [31:0]        rq_addr,
    output wire [4:0]         rq_beats,
    input  wire               rd_valid,
    output wire               rd_ready,
    input  wire [BUS_W-1:0]   rd_data,
    input  wire               rd_error,
    // ---- memory port: row-slice writes ----
    output wire               wq_valid,
    input  wire               wq_ready,
    output wire [31:0]        wq_addr,
    output wire [3:0]         wq_beats,
    output wire               wd_valid,
    input  wire               wd_ready,
    output wire [BUS_W-1:0]   wd_data,
    output wire [BUS_W/8-1:0] wd_strb,
    input  wire               wr_resp,
    input  wire               wr_error,
    // ---- end of an abort: the core was reset (the chip also clears its DMA error flags) ----
    output wire               core_rst
);
    localparam integer AW = $clog2(A_PANELS * KMAX);   // core buffer address width

    // ---------------- controller <-> core ----------------
    wire                  cmd_valid, cmd_ready, res_valid, res_ready, core_issuing;
    wire [AW-1:0]         cmd_a_base, cmd_b_base, b_wr_addr, ta_addr, a_wr_addr;
    wire [15:0]           cmd_k;
    wire [1:0]            cmd_p_addr, p_wr_addr;
    wire                  p_wr_en, b_wr_en, ta_valid, ta_ready, ta_idle, a_wr_en;
    wire [5:0]            cmd_shift, cmd_flags;
    wire [ARRAY_N*32-1:0] res_data;
    wire [ARRAY_N*8-1:0]  b_wr_data, a_wr_data;
    wire [ARRAY_N*64-1:0] p_wr_data;
    wire [BUS_W-1:0]      ta_data;
    /* verilator lint_off UNUSEDSIGNAL */  // a group has at most A_BURST words: the top bits are 0
    wire [4:0]            ta_chunks;
    /* verilator lint_on UNUSEDSIGNAL */
    localparam integer    A_BURST = (64 / (BUS_W / 8) >= 2) ? 64 / (BUS_W / 8) : 2;  // as u_ctrl

    gemm_controller #(.ARRAY_N(ARRAY_N), .BUS_W(BUS_W), .KMAX(KMAX), .A_PANELS(A_PANELS),
                      .MEM_BYTES(MEM_BYTES), .CHAIN_MAX(CHAIN_MAX)) u_ctrl (
        .clk(clk), .rst(rst), .start(start), .soft_reset(soft_reset),
        .overlap_enable(overlap_enable), .chain_enable(chain_enable), .chain_addr(chain_addr),
        .read_bursts(read_bursts), .r_a_addr(r_a_addr), .r_b_addr(r_b_addr), .r_c_addr(r_c_addr), .r_bias_addr(r_bias_addr),
        .r_map_addr(r_map_addr), .r_m(r_m), .r_n(r_n), .r_k(r_k), .r_lda(r_lda),
        .r_ldb(r_ldb), .r_ldc(r_ldc), .r_scale(r_scale), .r_shift(r_shift),
        .r_flags(r_flags),
        .busy(busy), .done_pulse(done_pulse), .error_pulse(error_pulse), .error_code(error_code),
        .cnt_total(cnt_total), .cnt_compute(cnt_compute), .cnt_stall(cnt_stall),
        .cnt_bytes_rd(cnt_bytes_rd), .cnt_bytes_wr(cnt_bytes_wr), .cnt_tiles(cnt_tiles),
        .cnt_skipped(cnt_skipped),
        .rq_valid(rq_valid), .rq_ready(rq_ready), .rq_addr(rq_addr), .rq_beats(rq_beats),
        .rd_valid(rd_valid), .rd_ready(rd_ready), .rd_data(rd_data), .rd_error(rd_error),
        .wq_valid(wq_valid), .wq_ready(wq_ready), .wq_addr(wq_addr), .wq_beats(wq_beats),
        .wd_valid(wd_valid), .wd_ready(wd_ready), .wd_data(wd_data), .wd_strb(wd_strb),
        .wr_resp(wr_resp), .wr_error(wr_error),
        .core_rst(core_rst), .cmd_valid(cmd_valid), .cmd_ready(cmd_ready),
        .cmd_a_base(cmd_a_base), .cmd_b_base(cmd_b_base), .cmd_k(cmd_k), .cmd_p_addr(cmd_p_addr),
        .cmd_shift(cmd_shift), .cmd_flags(cmd_flags),
        .res_valid(res_valid), .res_ready(res_ready), .res_data(res_data),
        .core_issuing(core_issuing),
        .b_wr_en(b_wr_en), .b_wr_addr(b_wr_addr), .b_wr_data(b_wr_data),
        .p_wr_en(p_wr_en), .p_wr_addr(p_wr_addr), .p_wr_data(p_wr_data),
        .ta_valid(ta_valid), .ta_ready(ta_ready), .ta_data(ta_data), .ta_addr(ta_addr),
        .ta_chunks(ta_chunks), .ta_idle(ta_idle));

    a_transposer #(.ARRAY_N(ARRAY_N), .BUS_W(BUS_W), .AW(AW), .GMAX(A_BURST)) u_transposer (
        .clk(clk), .rst(rst || core_rst), .in_valid(ta_valid), .in_ready(ta_ready),
        .in_data(ta_data), .in_addr(ta_addr), .in_chunks(ta_chunks[$clog2(A_BURST):0]),
        .idle(ta_idle),
        .wr_en(a_wr_en), .wr_addr(a_wr_addr), .wr_data(a_wr_data));

    // The controller tags nothing and reads no side-band: those core outputs are unused.
    /* verilator lint_off PINCONNECTEMPTY */
    gemm_core #(.ARRAY_N(ARRAY_N), .BUF_DEPTH(A_PANELS * KMAX), .P_DEPTH(4)) u_core (
        .clk(clk), .rst(rst || core_rst),
        .a_wr_en(a_wr_en), .a_wr_addr(a_wr_addr), .a_wr_data(a_wr_data),
        .b_wr_en(b_wr_en), .b_wr_addr(b_wr_addr), .b_wr_data(b_wr_data),
        .p_wr_en(p_wr_en), .p_wr_addr(p_wr_addr), .p_wr_data(p_wr_data),
        .cmd_valid(cmd_valid), .cmd_ready(cmd_ready), .cmd_a_base(cmd_a_base),
        .cmd_b_base(cmd_b_base), .cmd_k(cmd_k), .cmd_p_addr(cmd_p_addr), .cmd_shift(cmd_shift),
        .cmd_flags(cmd_flags), .cmd_tag(16'd0),
        .res_valid(res_valid), .res_ready(res_ready), .res_data(res_data), .res_tag(),
        .res_row(), .res_last(), .err_valid(), .err_code(), .busy(), .issuing(core_issuing),
        .tiles_done(), .active_cycles());
    /* verilator lint_on PINCONNECTEMPTY */
endmodule
`default_nettype wire
