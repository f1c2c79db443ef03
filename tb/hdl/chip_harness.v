`default_nettype none
// Simulation toplevel for the whole chip (tb/test_chip.py, tb/flows/bench_chip.py):
//   * rtl/csai_chip.v with its AXI4-Lite register port on the top (cocotb-bus AXI4LiteMaster,
//     prefix "s_axi");
//   * its AXI4 master port on tb/hdl/axi_mem_model.v (latency, stalls, beat gaps and error
//     injection from the cfg_* ports, or the +MEM_* plusargs), or with MEM_DRAM = 1 on
//     tb/hdl/dram_model.v (DRAM timing, the same ports and error range), loaded and dumped in bulk
//     through files (load_req / dump_req pulses) so Python never moves data beat by beat;
//   * an AXI protocol checker on each port; `violation` is sticky and every test asserts it 0.
// The harness is a fixed wrapper toplevel so tb/waves/chip_harness.gtkw keeps matching.
module chip_harness #(
    parameter integer ARRAY_N   = 8,
    parameter integer BUS_W     = 64,
    parameter integer KMAX      = 512,
    parameter integer A_PANELS  = 4,
    parameter integer MEM_BYTES = 1 << 18,    // memory model size; also the chip's MEM_BYTES
    parameter integer CHAIN_MAX = 4096,       // the chip's chain length limit (tests use small ones)
    // memory model: 0 = the ideal axi_mem_model, 1 = dram_model with the DRAM_* timing (chip
    // cycles from models/cycle/dram_timing.py; docs/dram_model.md)
    parameter integer MEM_DRAM = 0,
    parameter integer DRAM_T_CL = 0, DRAM_T_CWL = 0, DRAM_T_RCD = 0, DRAM_T_RP = 0,
    parameter integer DRAM_T_RAS = 0, DRAM_T_RTP = 0, DRAM_T_WTR = 0, DRAM_T_WR = 0,
    parameter integer DRAM_T_CCD = 0, DRAM_T_RTW = 0, DRAM_T_BURST = 0, DRAM_T_CTRL = -1, DRAM_T_RFC = 0,
    parameter integer DRAM_T_REFI = 0, DRAM_BANKS = 0, DRAM_ROW_BYTES = 0,
    parameter integer DRAM_ATOM_BYTES = 0, DRAM_QUEUE_DEPTH = 0
) (
    input  wire        clk,
    input  wire        rst,
    // AXI4-Lite register port
    input  wire [11:0] s_axi_awaddr,
    input  wire        s_axi_awvalid,
    output wire        s_axi_awready,
    input  wire [31:0] s_axi_wdata,
    input  wire [3:0]  s_axi_wstrb,
    input  wire        s_axi_wvalid,
    output wire        s_axi_wready,
    output wire [1:0]  s_axi_bresp,
    output wire        s_axi_bvalid,
    input  wire        s_axi_bready,
    input  wire [11:0] s_axi_araddr,
    input  wire        s_axi_arvalid,
    output wire        s_axi_arready,
    output wire [31:0] s_axi_rdata,
    output wire [1:0]  s_axi_rresp,
    output wire        s_axi_rvalid,
    input  wire        s_axi_rready,
    output wire        irq,
    // memory model knobs and bulk access
    input  wire [15:0] cfg_rd_latency,
    input  wire [15:0] cfg_wr_latency,
    input  wire [7:0]  cfg_stall_pct,
    input  wire [15:0] cfg_beat_gap,
    input  wire [31:0] cfg_seed,
    input  wire [31:0] cfg_err_lo,
    input  wire [31:0] cfg_err_hi,
    input  wire        load_req,
    input  wire        dump_req,
    // checkers
    output wire        violation,
    output wire [31:0] rd_outstanding,
    output wire [31:0] rd_bursts,        // AXI read bursts (ARs) accepted since reset
    output wire [31:0] wr_outstanding,
    output wire [31:0] lite_rd_outstanding,
    output wire [31:0] lite_wr_outstanding,
    output wire [31:0] mem_rd_beats,
    output wire [31:0] mem_wr_beats,
    // coverage probes (tb/env/coverage_model.py): the controller's phase bits {abort, store,
    // compute, load, check, fetch}, the phase of the last soft reset that reached it and how
    // many did, and per AXI channel the cycles of back-pressure (AR/AW/W: valid without ready;
    // R/B: a due beat held back by the memory, since the chip's RREADY/BREADY are always 1)
    output wire [5:0]  phase,
    output reg  [5:0]  soft_reset_phase,
    output reg  [31:0] soft_resets,
    output reg  [31:0] bp_ar,
    output reg  [31:0] bp_aw,
    output reg  [31:0] bp_w,
    output wire [31:0] bp_r,
    output wire [31:0] bp_b
);
    localparam integer BYTES = BUS_W / 8;

    wire [31:0]      araddr, awaddr;
    wire [7:0]       arlen, awlen;
    wire [2:0]       arsize, awsize;
    wire [1:0]       arburst, awburst, rresp, bresp;
    wire             arvalid, arready, rvalid, rready, rlast;
    wire             awvalid, awready, wvalid, wready, wlast, bvalid, bready;
    wire [BUS_W-1:0] rdata, wdata;
    wire [BYTES-1:0] wstrb;

    csai_chip #(.ARRAY_N(ARRAY_N), .BUS_W(BUS_W), .KMAX(KMAX), .A_PANELS(A_PANELS),
                .MEM_BYTES(MEM_BYTES), .CHAIN_MAX(CHAIN_MAX)) u_chip (
        .clk(clk), .rst(rst),
        .s_axi_awaddr(s_axi_awaddr), .s_axi_awvalid(s_axi_awvalid), .s_axi_awready(s_axi_awready),
        .s_axi_wdata(s_axi_wdata), .s_axi_wstrb(s_axi_wstrb), .s_axi_wvalid(s_axi_wvalid),
        .s_axi_wready(s_axi_wready), .s_axi_bresp(s_axi_bresp), .s_axi_bvalid(s_axi_bvalid),
        .s_axi_bready(s_axi_bready),
        .s_axi_araddr(s_axi_araddr), .s_axi_arvalid(s_axi_arvalid), .s_axi_arready(s_axi_arready),
        .s_axi_rdata(s_axi_rdata), .s_axi_rresp(s_axi_rresp), .s_axi_rvalid(s_axi_rvalid),
        .s_axi_rready(s_axi_rready),
        .m_axi_araddr(araddr), .m_axi_arlen(arlen), .m_axi_arsize(arsize),
        .m_axi_arburst(arburst), .m_axi_arvalid(arvalid), .m_axi_arready(arready),
        .m_axi_rdata(rdata), .m_axi_rresp(rresp), .m_axi_rlast(rlast), .m_axi_rvalid(rvalid),
        .m_axi_rready(rready),
        .m_axi_awaddr(awaddr), .m_axi_awlen(awlen), .m_axi_awsize(awsize),
        .m_axi_awburst(awburst), .m_axi_awvalid(awvalid), .m_axi_awready(awready),
        .m_axi_wdata(wdata), .m_axi_wstrb(wstrb), .m_axi_wlast(wlast), .m_axi_wvalid(wvalid),
        .m_axi_wready(wready), .m_axi_bresp(bresp), .m_axi_bvalid(bvalid),
        .m_axi_bready(bready),
        .irq(irq));

    generate if (MEM_DRAM == 0) begin : g_ideal
    axi_mem_model #(.BUS_W(BUS_W), .MEM_BYTES(MEM_BYTES), .QUEUE_DEPTH(64)) u_mem (
        .clk(clk), .rst(rst),
        .s_axi_awaddr(awaddr), .s_axi_awlen(awlen), .s_axi_awsize(awsize),
        .s_axi_awburst(awburst), .s_axi_awvalid(awvalid), .s_axi_awready(awready),
        .s_axi_wdata(wdata), .s_axi_wstrb(wstrb), .s_axi_wlast(wlast), .s_axi_wvalid(wvalid),
        .s_axi_wready(wready), .s_axi_bresp(bresp), .s_axi_bvalid(bvalid),
        .s_axi_bready(bready),
        .s_axi_araddr(araddr), .s_axi_arlen(arlen), .s_axi_arsize(arsize),
        .s_axi_arburst(arburst), .s_axi_arvalid(arvalid), .s_axi_arready(arready),
        .s_axi_rdata(rdata), .s_axi_rresp(rresp), .s_axi_rlast(rlast), .s_axi_rvalid(rvalid),
        .s_axi_rready(rready),
        .cfg_rd_latency(cfg_rd_latency), .cfg_wr_latency(cfg_wr_latency),
        .cfg_stall_pct(cfg_stall_pct), .cfg_beat_gap(cfg_beat_gap), .cfg_seed(cfg_seed),
        .cfg_err_lo(cfg_err_lo), .cfg_err_hi(cfg_err_hi),
        .load_req(load_req), .dump_req(dump_req), .cfg_dump_lo(32'd0), .cfg_dump_hi(32'd0),
        .rd_beats(mem_rd_beats), .wr_beats(mem_wr_beats), .r_holds(bp_r), .b_holds(bp_b));

    end else begin : g_dram
    dram_model #(
        .BUS_W(BUS_W), .MEM_BYTES(MEM_BYTES),
        .T_CL(DRAM_T_CL), .T_CWL(DRAM_T_CWL), .T_RCD(DRAM_T_RCD), .T_RP(DRAM_T_RP),
        .T_RAS(DRAM_T_RAS), .T_RTP(DRAM_T_RTP), .T_WTR(DRAM_T_WTR), .T_WR(DRAM_T_WR),
        .T_CCD(DRAM_T_CCD), .T_RTW(DRAM_T_RTW), .T_BURST(DRAM_T_BURST), .T_CTRL(DRAM_T_CTRL), .T_RFC(DRAM_T_RFC),
        .T_REFI(DRAM_T_REFI), .BANKS(DRAM_BANKS), .ROW_BYTES(DRAM_ROW_BYTES),
        .ATOM_BYTES(DRAM_ATOM_BYTES), .QUEUE_DEPTH(DRAM_QUEUE_DEPTH)
    ) u_mem (
        .clk(clk), .rst(rst),
        .s_axi_awaddr(awaddr), .s_axi_awlen(awlen), .s_axi_awsize(awsize),
        .s_axi_awburst(awburst), .s_axi_awvalid(awvalid), .s_axi_awready(awready),
        .s_axi_wdata(wdata), .s_axi_wstrb(wstrb), .s_axi_wlast(wlast), .s_axi_wvalid(wvalid),
        .s_axi_wready(wready), .s_axi_bresp(bresp), .s_axi_bvalid(bvalid),
        .s_axi_bready(bready),
        .s_axi_araddr(araddr), .s_axi_arlen(arlen), .s_axi_arsize(arsize),
        .s_axi_arburst(arburst), .s_axi_arvalid(arvalid), .s_axi_arready(arready),
        .s_axi_rdata(rdata), .s_axi_rresp(rresp), .s_axi_rlast(rlast), .s_axi_rvalid(rvalid),
        .s_axi_rready(rready),
        .cfg_rd_latency(cfg_rd_latency), .cfg_wr_latency(cfg_wr_latency),
        .cfg_stall_pct(cfg_stall_pct), .cfg_beat_gap(cfg_beat_gap), .cfg_seed(cfg_seed),
        .cfg_err_lo(cfg_err_lo), .cfg_err_hi(cfg_err_hi),
        .load_req(load_req), .dump_req(dump_req), .cfg_dump_lo(32'd0), .cfg_dump_hi(32'd0),
        .rd_beats(mem_rd_beats), .wr_beats(mem_wr_beats));
    // the DRAM model does not count held R/B beats: those coverage bins stay with the ideal model
    assign bp_r = 32'd0;
    assign bp_b = 32'd0;
    end endgenerate

    // ---------------- coverage probes (simulation only: hierarchical reads) ----------------
    wire [2:0] c_top = u_chip.u_engine.u_ctrl.state;   // S_IDLE 0, FETCH 1, CHECK 2, RUN 3, ABORT 4
    wire [3:0] c_l   = u_chip.u_engine.u_ctrl.l_state;
    wire       c_run = (c_top == 3'd3);
    wire c_loading   = c_run && ((c_l >= 4'd4 && c_l <= 4'd8) || c_l == 4'd2 ||
                       u_chip.u_engine.u_ctrl.rd_issued != u_chip.u_engine.u_ctrl.rd_done);
    wire c_computing = c_run && u_chip.u_engine.u_ctrl.core_issuing;
    wire c_storing   = c_run && (u_chip.u_engine.u_ctrl.s_state != 2'd0 ||
                       u_chip.u_engine.u_ctrl.wr_acked != u_chip.u_engine.u_ctrl.wr_issued);
    assign phase = {c_top == 3'd4, c_storing, c_computing, c_loading, c_top == 3'd2, c_top == 3'd1};
    always @(posedge clk) begin
        if (rst) begin
            soft_reset_phase <= 6'd0; soft_resets <= 32'd0;
            bp_ar <= 32'd0; bp_aw <= 32'd0; bp_w <= 32'd0;
        end else begin
            if (u_chip.soft_reset_pulse) begin
                soft_reset_phase <= phase; soft_resets <= soft_resets + 32'd1;
            end
            if (arvalid && !arready) bp_ar <= bp_ar + 32'd1;
            if (awvalid && !awready) bp_aw <= bp_aw + 32'd1;
            if (wvalid && !wready)   bp_w  <= bp_w + 32'd1;
        end
    end

    wire v_mem, v_lite;
    assign violation = v_mem | v_lite;

    // the chip's DMAs never issue more than 16 beats per burst (MAX_BURST in csai_chip.v)
    axi_protocol_checker #(.LITE(0), .DATA_W(BUS_W), .ADDR_W(32), .MAX_PENDING(128), .MAX_LEN(16)) u_chk_mem (
        .clk(clk), .rst(rst),
        .awaddr(awaddr), .awlen(awlen), .awsize(awsize), .awburst(awburst),
        .awvalid(awvalid), .awready(awready),
        .wdata(wdata), .wstrb(wstrb), .wlast(wlast), .wvalid(wvalid), .wready(wready),
        .bresp(bresp), .bvalid(bvalid), .bready(bready),
        .araddr(araddr), .arlen(arlen), .arsize(arsize), .arburst(arburst),
        .arvalid(arvalid), .arready(arready),
        .rdata(rdata), .rresp(rresp), .rlast(rlast), .rvalid(rvalid), .rready(rready),
        .violation(v_mem), .violations(), .rd_outstanding(rd_outstanding),
        .wr_outstanding(wr_outstanding), .rd_bursts(rd_bursts), .wr_bursts());

    axi_protocol_checker #(.LITE(1), .DATA_W(32), .ADDR_W(12), .CHECK_ALIGN(0)) u_chk_lite (
        .clk(clk), .rst(rst),
        .awaddr(s_axi_awaddr), .awlen(8'd0), .awsize(3'd2), .awburst(2'b01),
        .awvalid(s_axi_awvalid), .awready(s_axi_awready),
        .wdata(s_axi_wdata), .wstrb(s_axi_wstrb), .wlast(1'b1), .wvalid(s_axi_wvalid),
        .wready(s_axi_wready), .bresp(s_axi_bresp), .bvalid(s_axi_bvalid), .bready(s_axi_bready),
        .araddr(s_axi_araddr), .arlen(8'd0), .arsize(3'd2), .arburst(2'b01),
        .arvalid(s_axi_arvalid), .arready(s_axi_arready),
        .rdata(s_axi_rdata), .rresp(s_axi_rresp), .rlast(1'b1), .rvalid(s_axi_rvalid),
        .rready(s_axi_rready),
        .violation(v_lite), .violations(), .rd_outstanding(lite_rd_outstanding),
        .wr_outstanding(lite_wr_outstanding), .rd_bursts(), .wr_bursts());
endmodule
`default_nettype wire
