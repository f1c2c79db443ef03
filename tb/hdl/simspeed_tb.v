`default_nettype none
// Pure-HDL speed reference of `make simspeed` (tb/simspeed.py): the same chip_harness as the
// cocotb runs (chip, AXI memory model, protocol checkers), driven with no Python at all.
//   * the clock is an `always #5` here: 10 ns with the 1ns/1ps time scale tb/simspeed.py gives
//     both simulators as the cocotb runs have it (Verilator builds this file with --timing);
//   * memory is loaded with the model's load_req ($readmemh of mem_load.hex, written by Python);
//   * the registers are written by a small AXI4-Lite task from +REGS=<file>: one line per write,
//     12 address bits then 32 data bits in hex ({addr, data}), +NREGS=<count> lines, the last
//     one writes CTRL.start;
//   * it waits for irq with the simulator free-running, prints `SIMSPEED start` and
//     `SIMSPEED irq` lines (flushed, so tb/simspeed.py can time the run between them from the
//     wall clock), reads STATUS and PERF_CYCLES, dumps memory (mem_dump.hex) and finishes.
// Python checks C in the dump bit for bit against the golden model.
module simspeed_tb;
    parameter integer ARRAY_N   = 8;
    parameter integer BUS_W     = 64;
    parameter integer KMAX      = 512;
    parameter integer MEM_BYTES = 1 << 20;
    parameter integer MAX_REGS  = 64;
    parameter [11:0]  STATUS_ADDR = 12'h014;        // tb/simspeed.py passes them from regmap.json
    parameter [11:0]  CYCLES_LO_ADDR = 12'h080;
    parameter [11:0]  CYCLES_HI_ADDR = 12'h084;

    reg clk = 1'b0;
    always #5 clk = ~clk;
    reg rst = 1'b1;
    integer cyc = 0;
    always @(posedge clk) cyc <= cyc + 1;

    reg  [11:0] awaddr = 12'd0, araddr = 12'd0;
    reg         awvalid = 1'b0, wvalid = 1'b0, bready = 1'b0, arvalid = 1'b0, rready = 1'b0;
    reg  [31:0] wdata = 32'd0;
    reg  [3:0]  wstrb = 4'hf;
    wire        awready, wready, bvalid, arready, rvalid, irq, violation;
    wire [1:0]  bresp, rresp;
    wire [31:0] rdata;
    reg         load_req = 1'b0, dump_req = 1'b0;

    chip_harness #(.ARRAY_N(ARRAY_N), .BUS_W(BUS_W), .KMAX(KMAX), .MEM_BYTES(MEM_BYTES)) u_h (
        .clk(clk), .rst(rst),
        .s_axi_awaddr(awaddr), .s_axi_awvalid(awvalid), .s_axi_awready(awready),
        .s_axi_wdata(wdata), .s_axi_wstrb(wstrb), .s_axi_wvalid(wvalid), .s_axi_wready(wready),
        .s_axi_bresp(bresp), .s_axi_bvalid(bvalid), .s_axi_bready(bready),
        .s_axi_araddr(araddr), .s_axi_arvalid(arvalid), .s_axi_arready(arready),
        .s_axi_rdata(rdata), .s_axi_rresp(rresp), .s_axi_rvalid(rvalid), .s_axi_rready(rready),
        .irq(irq),
        .cfg_rd_latency(16'd20), .cfg_wr_latency(16'd20), .cfg_stall_pct(8'd0),
        .cfg_beat_gap(16'd0), .cfg_seed(32'd1), .cfg_err_lo(32'd0), .cfg_err_hi(32'd0),
        .load_req(load_req), .dump_req(dump_req),
        .violation(violation), .rd_outstanding(), .wr_outstanding(), .lite_rd_outstanding(),
        .lite_wr_outstanding(), .mem_rd_beats(), .mem_wr_beats());

    // Handshakes are sampled right after a rising edge: the values the design saw at that edge
    // (this block drives with nonblocking assignments, so the design never races with it).
    reg aw_done, w_done;
    task axil_write(input [11:0] addr, input [31:0] data);
        begin
            awaddr <= addr; wdata <= data; awvalid <= 1'b1; wvalid <= 1'b1; bready <= 1'b1;
            aw_done = 1'b0; w_done = 1'b0;
            while (!(aw_done && w_done)) begin
                @(posedge clk);
                if (awvalid && awready) begin aw_done = 1'b1; awvalid <= 1'b0; end
                if (wvalid && wready) begin w_done = 1'b1; wvalid <= 1'b0; end
            end
            @(posedge clk);
            while (!bvalid) @(posedge clk);
            bready <= 1'b0;
            if (bresp != 2'b00) begin
                $display("SIMSPEED error: write of %h to %h answered %0d", data, addr, bresp);
                $finish;
            end
        end
    endtask

    task axil_read(input [11:0] addr, output [31:0] data);
        begin
            araddr <= addr; arvalid <= 1'b1; rready <= 1'b1;
            @(posedge clk);
            while (!arready) @(posedge clk);
            arvalid <= 1'b0;
            @(posedge clk);
            while (!rvalid) @(posedge clk);
            data = rdata;
            rready <= 1'b0;
        end
    endtask

    reg [43:0]    writes [0:MAX_REGS-1];
    reg [8*256-1:0] regs_file;
    integer       nregs, i, t_start, t_irq;
    reg [31:0]    status, lo, hi;
    initial begin
        if (!$value$plusargs("REGS=%s", regs_file)) regs_file = "regs.hex";
        if (!$value$plusargs("NREGS=%d", nregs)) nregs = 0;
        $readmemh(regs_file, writes);
        repeat (4) @(posedge clk);
        rst <= 1'b0;
        @(posedge clk);
        load_req <= 1'b1;
        @(posedge clk);
        load_req <= 1'b0;
        for (i = 0; i < nregs; i = i + 1) axil_write(writes[i][43:32], writes[i][31:0]);
        t_start = cyc;
        $display("SIMSPEED start cycle=%0d", cyc);
        $fflush;
        @(posedge clk);
        while (!irq) @(posedge clk);
        t_irq = cyc;
        $display("SIMSPEED irq cycle=%0d", cyc);
        $fflush;
        axil_read(STATUS_ADDR, status);
        axil_read(CYCLES_LO_ADDR, lo);
        axil_read(CYCLES_HI_ADDR, hi);
        dump_req <= 1'b1;
        @(posedge clk);
        dump_req <= 1'b0;
        repeat (2) @(posedge clk);
        $display("SIMSPEED done status=%h perf_cycles=%0d waited=%0d violation=%0d", status,
                 {hi, lo}, t_irq - t_start, violation);
        $fflush;
        $finish;
    end
endmodule
`default_nettype wire
