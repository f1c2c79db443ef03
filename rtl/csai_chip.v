`default_nettype none
// CompactScaleAiChip: the whole accelerator (docs/chip.md).
//
//   host --AXI4-Lite--> csr_regfile --descriptor/start--> gemm_engine (rtl/gemm_engine.v:
//                            ^  status, counters, irq        |   ^   gemm_controller, a_transposer,
//                                                            |   |   gemm_core)
//                            +-------------------------------+   |
//                                                 read reqs  v   | write reqs (row slices)
//                                                    dma_reader  dma_writer
//                                                          \      /
//                                                 AXI4 master (one port, BUS_W data)
//
// Glue only: every block keeps its own contract.
// * Reads: each controller read request (rq_beats contiguous beats: a burst with
//   CTRL.read_bursts = 1, one beat with 0) becomes one dma_reader command, split by the reader
//   at 4 KB pages into INCR bursts (up to RD_OUTSTANDING in flight, so the memory latency is
//   hidden at one beat per cycle). The reader returns the beats in order, with RRESP != OKAY
//   flagged per beat.
// * Writes: each controller write request is one C row slice of wq_beats beats with byte
//   strobes; it becomes one dma_writer command of wq_beats whole beats, the strobes passed
//   through. dma_writer's `done` (last B response of the command) is the controller's wr_resp.
// * Errors and aborts: the controller drains every transaction it started before it leaves an
//   abort (soft reset or bus error), so the DMAs are never cut off mid-command. When the
//   controller resets the core at the end of an abort, the DMAs get abort_req too, which only
//   clears their sticky error flags (they are idle by then).
// * Reset: `rst` is synchronous and active high, for the whole chip.
module csai_chip #(
    parameter integer ARRAY_N        = 8,             // systolic array is ARRAY_N x ARRAY_N
    parameter integer BUS_W          = 64,            // AXI4 master data width (64 or 128)
    parameter integer KMAX           = 2048,          // longest reduction held on chip (<= 65535)
    parameter integer A_PANELS       = 4,             // A row tiles kept per row block (<= 255)
    parameter [31:0]  MEM_BYTES      = 32'h0100_0000, // every operand must lie below this
    parameter integer CHAIN_MAX      = 4096,          // descriptors one START may run (1..65535)
    parameter integer RD_OUTSTANDING = 32,            // read bursts in flight (power of 2)
    parameter integer WR_OUTSTANDING = 32             // write bursts awaiting B (power of 2)
) (
    input  wire               clk,
    input  wire               rst,
    // ---- AXI4-Lite slave: registers (rtl/regmap.json) ----
    input  wire [11:0]        s_axi_awaddr,
    input  wire               s_axi_awvalid,
    output wire               s_axi_awready,
    input  wire [31:0]        s_axi_wdata,
    input  wire [3:0]         s_axi_wstrb,
    input  wire               s_axi_wvalid,
    output wire               s_axi_wready,
    output wire [1:0]         s_axi_bresp,
    output wire               s_axi_bvalid,
    input  wire               s_axi_bready,
    input  wire [11:0]        s_axi_araddr,
    input  wire               s_axi_arvalid,
    output wire               s_axi_arready,
    output wire [31:0]        s_axi_rdata,
    output wire [1:0]         s_axi_rresp,
    output wire               s_axi_rvalid,
    input  wire               s_axi_rready,
    // ---- AXI4 master: read address / data ----
    output wire [31:0]        m_axi_araddr,
    output wire [7:0]         m_axi_arlen,
    output wire [2:0]         m_axi_arsize,
    output wire [1:0]         m_axi_arburst,
    output wire               m_axi_arvalid,
    input  wire               m_axi_arready,
    input  wire [BUS_W-1:0]   m_axi_rdata,
    input  wire [1:0]         m_axi_rresp,
    input  wire               m_axi_rlast,
    input  wire               m_axi_rvalid,
    output wire               m_axi_rready,
    // ---- AXI4 master: write address / data / response ----
    output wire [31:0]        m_axi_awaddr,
    output wire [7:0]         m_axi_awlen,
    output wire [2:0]         m_axi_awsize,
    output wire [1:0]         m_axi_awburst,
    output wire               m_axi_awvalid,
    input  wire               m_axi_awready,
    output wire [BUS_W-1:0]   m_axi_wdata,
    output wire [BUS_W/8-1:0] m_axi_wstrb,
    output wire               m_axi_wlast,
    output wire               m_axi_wvalid,
    input  wire               m_axi_wready,
    input  wire [1:0]         m_axi_bresp,
    input  wire               m_axi_bvalid,
    output wire               m_axi_bready,
    // ---- interrupt (level): done or error, when enabled ----
    output wire               irq
);
    localparam integer W  = BUS_W / 8;

    // ---------------- registers <-> controller ----------------
    wire        start_pulse, soft_reset_pulse, overlap_enable, chain_enable, irq_enable_unused;
    wire        read_bursts;
    wire [31:0] desc_a, desc_b, desc_c, desc_bias, desc_map, desc_chain;
    wire [15:0] desc_m, desc_n, desc_k;
    wire [31:0] desc_lda, desc_ldb, desc_ldc, desc_scale;
    wire [5:0]  desc_shift;
    wire [4:0]  desc_flags;
    wire        busy, done_pulse, error_pulse;
    wire [7:0]  error_code;
    wire [31:0] cnt_total, cnt_compute, cnt_stall, cnt_bytes_rd, cnt_bytes_wr, cnt_tiles,
                cnt_skipped;

    csr_regfile #(.ARRAY_N(ARRAY_N), .BUS_W(BUS_W), .A_PANELS(A_PANELS), .KMAX(KMAX),
                  .CHAIN_MAX(CHAIN_MAX), .MEM_BYTES(MEM_BYTES)) u_csr (
        .clk(clk), .rst(rst),
        .s_axi_awaddr(s_axi_awaddr), .s_axi_awvalid(s_axi_awvalid), .s_axi_awready(s_axi_awready),
        .s_axi_wdata(s_axi_wdata), .s_axi_wstrb(s_axi_wstrb), .s_axi_wvalid(s_axi_wvalid),
        .s_axi_wready(s_axi_wready), .s_axi_bresp(s_axi_bresp), .s_axi_bvalid(s_axi_bvalid),
        .s_axi_bready(s_axi_bready),
        .s_axi_araddr(s_axi_araddr), .s_axi_arvalid(s_axi_arvalid), .s_axi_arready(s_axi_arready),
        .s_axi_rdata(s_axi_rdata), .s_axi_rresp(s_axi_rresp), .s_axi_rvalid(s_axi_rvalid),
        .s_axi_rready(s_axi_rready),
        .start_pulse(start_pulse), .soft_reset_pulse(soft_reset_pulse),
        .irq_enable(irq_enable_unused), .overlap_enable(overlap_enable),
        .chain_enable(chain_enable), .read_bursts(read_bursts),
        .desc_a_addr(desc_a), .desc_b_addr(desc_b), .desc_c_addr(desc_c),
        .desc_bias_addr(desc_bias), .desc_spmap_addr(desc_map), .desc_chain_addr(desc_chain),
        .desc_m(desc_m), .desc_n(desc_n), .desc_k(desc_k), .desc_lda(desc_lda),
        .desc_ldb(desc_ldb), .desc_ldc(desc_ldc), .desc_scale(desc_scale),
        .desc_shift(desc_shift), .desc_flags(desc_flags),
        .busy(busy), .done_set(done_pulse), .err_set(error_pulse), .err_code_in(error_code),
        .perf_cycles({32'd0, cnt_total}), .perf_compute({32'd0, cnt_compute}),
        .perf_stall({32'd0, cnt_stall}), .perf_bytes_rd({32'd0, cnt_bytes_rd}),
        .perf_bytes_wr({32'd0, cnt_bytes_wr}), .perf_tiles(cnt_tiles),
        .perf_tiles_skipped(cnt_skipped),
        .irq(irq));

    // ---------------- controller <-> memory ----------------
    wire             rq_valid, rq_ready, rd_valid, rd_ready, rd_error;
    wire [31:0]      rq_addr;
    wire [4:0]       rq_beats;
    wire [31:0]      rq_bytes = {27'd0, rq_beats} * W;
    wire [BUS_W-1:0] rd_data;
    wire             wq_valid, wq_ready, wd_valid, wd_ready, wr_done, wr_err_bus;
    wire [31:0]      wq_addr;
    wire [3:0]       wq_beats;
    wire [31:0]      wq_bytes = {28'd0, wq_beats} * W;   // whole beats: strobes mask the bytes
    wire [BUS_W-1:0] wd_data;
    wire [W-1:0]     wd_strb;

    // ---------------- the GEMM engine: controller, transposer, core ----------------
    wire core_rst;
    gemm_engine #(.ARRAY_N(ARRAY_N), .BUS_W(BUS_W), .KMAX(KMAX), .A_PANELS(A_PANELS),
                  .MEM_BYTES(MEM_BYTES), .CHAIN_MAX(CHAIN_MAX)) u_engine (
        .clk(clk), .rst(rst), .start(start_pulse), .soft_reset(soft_reset_pulse),
        .overlap_enable(overlap_enable), .chain_enable(chain_enable), .chain_addr(desc_chain),
        .read_bursts(read_bursts), .r_a_addr(desc_a), .r_b_addr(desc_b), .r_c_addr(desc_c), .r_bias_addr(desc_bias),
        .r_map_addr(desc_map), .r_m(desc_m), .r_n(desc_n), .r_k(desc_k), .r_lda(desc_lda),
        .r_ldb(desc_ldb), .r_ldc(desc_ldc), .r_scale(desc_scale), .r_shift(desc_shift),
        .r_flags(desc_flags),
        .busy(busy), .done_pulse(done_pulse), .error_pulse(error_pulse), .error_code(error_code),
        .cnt_total(cnt_total), .cnt_compute(cnt_compute), .cnt_stall(cnt_stall),
        .cnt_bytes_rd(cnt_bytes_rd), .cnt_bytes_wr(cnt_bytes_wr), .cnt_tiles(cnt_tiles),
        .cnt_skipped(cnt_skipped),
        .rq_valid(rq_valid), .rq_ready(rq_ready), .rq_addr(rq_addr), .rq_beats(rq_beats),
        .rd_valid(rd_valid), .rd_ready(rd_ready), .rd_data(rd_data), .rd_error(rd_error),
        .wq_valid(wq_valid), .wq_ready(wq_ready), .wq_addr(wq_addr), .wq_beats(wq_beats),
        .wd_valid(wd_valid), .wd_ready(wd_ready), .wd_data(wd_data), .wd_strb(wd_strb),
        .wr_resp(wr_done), .wr_error(wr_err_bus), .core_rst(core_rst));

    // ---------------- DMA ----------------
    // Reader and writer status the controller does not need (it counts its own transactions).
    wire rd_busy_unused, rd_err_cmd_unused, rd_err_bus_unused, rd_last_unused;
    wire wr_busy_unused, wr_err_cmd_unused;

    dma_reader #(.BUS_W(BUS_W), .MAX_OUTSTANDING(RD_OUTSTANDING), .MAX_BURST(16),
                 .FIFO_DEPTH(64)) u_dma_rd (
        .clk(clk), .rst(rst),
        .cmd_valid(rq_valid), .cmd_ready(rq_ready), .cmd_addr(rq_addr), .cmd_len(rq_bytes),
        .out_valid(rd_valid), .out_ready(rd_ready), .out_data(rd_data), .out_last(rd_last_unused),
        .out_err(rd_error),
        .abort_req(core_rst), .busy(rd_busy_unused), .err_cmd(rd_err_cmd_unused),
        .err_bus(rd_err_bus_unused),
        .m_axi_araddr(m_axi_araddr), .m_axi_arlen(m_axi_arlen), .m_axi_arsize(m_axi_arsize),
        .m_axi_arburst(m_axi_arburst), .m_axi_arvalid(m_axi_arvalid),
        .m_axi_arready(m_axi_arready), .m_axi_rdata(m_axi_rdata), .m_axi_rresp(m_axi_rresp),
        .m_axi_rlast(m_axi_rlast), .m_axi_rvalid(m_axi_rvalid), .m_axi_rready(m_axi_rready));

    dma_writer #(.BUS_W(BUS_W), .MAX_BURST(16), .MAX_OUTSTANDING(WR_OUTSTANDING),
                 .FIFO_DEPTH(64)) u_dma_wr (
        .clk(clk), .rst(rst),
        .cmd_valid(wq_valid), .cmd_ready(wq_ready), .cmd_addr(wq_addr),
        .cmd_len(wq_bytes),
        .in_valid(wd_valid), .in_ready(wd_ready), .in_data(wd_data), .in_strb(wd_strb),
        .m_axi_awaddr(m_axi_awaddr), .m_axi_awlen(m_axi_awlen), .m_axi_awsize(m_axi_awsize),
        .m_axi_awburst(m_axi_awburst), .m_axi_awvalid(m_axi_awvalid),
        .m_axi_awready(m_axi_awready), .m_axi_wdata(m_axi_wdata), .m_axi_wstrb(m_axi_wstrb),
        .m_axi_wlast(m_axi_wlast), .m_axi_wvalid(m_axi_wvalid), .m_axi_wready(m_axi_wready),
        .m_axi_bresp(m_axi_bresp), .m_axi_bvalid(m_axi_bvalid), .m_axi_bready(m_axi_bready),
        .abort_req(core_rst), .busy(wr_busy_unused), .done(wr_done),
        .err_cmd(wr_err_cmd_unused), .err_bus(wr_err_bus));
endmodule
`default_nettype wire
