`default_nettype none
// Simulation toplevel for tb/test_csr_regfile.py: csr_regfile with its AXI4-Lite port on the
// top (driven by cocotb-bus's AXI4LiteMaster as "s_axi"), the controller-side inputs driven by
// Python, an AXI4-Lite protocol checker on the bus, and counters of the output pulses.
module csr_harness #(
    parameter integer ARRAY_N   = 8,     // passed to csr_regfile (HWCFG)
    parameter integer BUS_W     = 64,    // passed to csr_regfile (HWCFG)
    parameter integer A_PANELS  = 4,     // passed to csr_regfile (HWCFG)
    parameter integer KMAX      = 2048,  // passed to csr_regfile (LIMITS)
    parameter integer CHAIN_MAX = 4096,  // passed to csr_regfile (LIMITS)
    parameter integer MEM_BYTES = 1 << 24  // passed to csr_regfile (MEM_BYTES)
) (
    input  wire        clk,
    input  wire        rst,
    // AXI4-Lite slave port
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
    // controller side
    output wire        start_pulse,
    output wire        soft_reset_pulse,
    output wire        irq_enable,
    output wire        overlap_enable,
    output wire        chain_enable,
    output wire [31:0] desc_a_addr, desc_b_addr, desc_c_addr, desc_bias_addr, desc_spmap_addr,
    output wire [31:0] desc_chain_addr,
    output wire [15:0] desc_m, desc_n, desc_k,
    output wire [31:0] desc_lda, desc_ldb, desc_ldc, desc_scale,
    output wire [5:0]  desc_shift,
    output wire [4:0]  desc_flags,
    input  wire        busy,
    input  wire        done_set,
    input  wire        err_set,
    input  wire [7:0]  err_code_in,
    input  wire [63:0] perf_cycles, perf_compute, perf_stall, perf_bytes_rd, perf_bytes_wr,
    input  wire [31:0] perf_tiles, perf_tiles_skipped,
    output wire        irq,
    // observation
    output reg  [31:0] start_count,
    output reg  [31:0] soft_reset_count,
    output wire        violation,
    output wire [31:0] rd_outstanding,
    output wire [31:0] wr_outstanding
);
    csr_regfile #(.ARRAY_N(ARRAY_N), .BUS_W(BUS_W), .A_PANELS(A_PANELS), .KMAX(KMAX),
                  .CHAIN_MAX(CHAIN_MAX), .MEM_BYTES(MEM_BYTES)) u_csr (
        .clk(clk), .rst(rst),
        .s_axi_awaddr(s_axi_awaddr), .s_axi_awvalid(s_axi_awvalid), .s_axi_awready(s_axi_awready),
        .s_axi_wdata(s_axi_wdata), .s_axi_wstrb(s_axi_wstrb), .s_axi_wvalid(s_axi_wvalid),
        .s_axi_wready(s_axi_wready), .s_axi_bresp(s_axi_bresp), .s_axi_bvalid(s_axi_bvalid),
        .s_axi_bready(s_axi_bready), .s_axi_araddr(s_axi_araddr), .s_axi_arvalid(s_axi_arvalid),
        .s_axi_arready(s_axi_arready), .s_axi_rdata(s_axi_rdata), .s_axi_rresp(s_axi_rresp),
        .s_axi_rvalid(s_axi_rvalid), .s_axi_rready(s_axi_rready),
        .start_pulse(start_pulse), .soft_reset_pulse(soft_reset_pulse),
        .irq_enable(irq_enable), .overlap_enable(overlap_enable), .chain_enable(chain_enable),
        .desc_a_addr(desc_a_addr), .desc_b_addr(desc_b_addr), .desc_c_addr(desc_c_addr),
        .desc_bias_addr(desc_bias_addr), .desc_spmap_addr(desc_spmap_addr),
        .desc_chain_addr(desc_chain_addr), .desc_m(desc_m), .desc_n(desc_n), .desc_k(desc_k),
        .desc_lda(desc_lda), .desc_ldb(desc_ldb), .desc_ldc(desc_ldc), .desc_scale(desc_scale),
        .desc_shift(desc_shift), .desc_flags(desc_flags),
        .busy(busy), .done_set(done_set), .err_set(err_set), .err_code_in(err_code_in),
        .perf_cycles(perf_cycles), .perf_compute(perf_compute), .perf_stall(perf_stall),
        .perf_bytes_rd(perf_bytes_rd), .perf_bytes_wr(perf_bytes_wr), .perf_tiles(perf_tiles),
        .perf_tiles_skipped(perf_tiles_skipped), .irq(irq));

    always @(posedge clk) begin
        if (rst) begin
            start_count <= 32'd0;
            soft_reset_count <= 32'd0;
        end else begin
            start_count <= start_count + {31'd0, start_pulse};
            soft_reset_count <= soft_reset_count + {31'd0, soft_reset_pulse};
        end
    end

    /* verilator lint_off PINCONNECTEMPTY */
    axi_protocol_checker #(.LITE(1), .DATA_W(32), .ADDR_W(12), .CHECK_ALIGN(0)) u_chk (
        .clk(clk), .rst(rst),
        .awaddr(s_axi_awaddr), .awlen(8'd0), .awsize(3'd2), .awburst(2'b01),
        .awvalid(s_axi_awvalid), .awready(s_axi_awready),
        .wdata(s_axi_wdata), .wstrb(s_axi_wstrb), .wlast(1'b1), .wvalid(s_axi_wvalid),
        .wready(s_axi_wready), .bresp(s_axi_bresp), .bvalid(s_axi_bvalid), .bready(s_axi_bready),
        .araddr(s_axi_araddr), .arlen(8'd0), .arsize(3'd2), .arburst(2'b01),
        .arvalid(s_axi_arvalid), .arready(s_axi_arready),
        .rdata(s_axi_rdata), .rresp(s_axi_rresp), .rlast(1'b1), .rvalid(s_axi_rvalid),
        .rready(s_axi_rready),
        .violation(violation), .violations(), .rd_outstanding(rd_outstanding),
        .wr_outstanding(wr_outstanding), .rd_bursts(), .wr_bursts());
    /* verilator lint_on PINCONNECTEMPTY */
endmodule
`default_nettype wire
