`default_nettype none
// Pure-HDL speed reference of `make simspeed` (tb/flows/simspeed.py): the same chip_harness as the
// cocotb runs (chip, AXI memory model, protocol checkers), driven with no Python at all, the same
// on Icarus and on Verilator (--binary --timing):
//   * the clock is an `always #5` here: 10 ns with the 1ns/1ps time scale tb/flows/simspeed.py gives
//     both simulators as the cocotb runs have it;
//   * memory is loaded with the model's load_req ($readmemh of mem_load.hex, written by Python);
//   * the registers are written by a small AXI4-Lite task from +REGS=<file>: one line per write,
//     12 address bits then 32 data bits in hex ({addr, data}), +NREGS=<count> lines, the last
//     one writes CTRL.start;
//   * it waits for irq with the simulator free-running (a level wait: no testbench code runs per
//     cycle), prints `SIMSPEED start` and `SIMSPEED irq` lines (flushed, so tb/flows/simspeed.py can
//     time the run between them from the wall clock), reads STATUS and PERF_CYCLES, dumps memory
//     (mem_dump.hex) and finishes;
//   * it checks C itself: the dump is read back and the words C_LO .. C_HI-1 (+C_LO, +C_HI) are
//     compared with +EXPECT=<file>, the memory image with the golden C (models/chip/golden.py) written
//     by Python; a mismatch, a bad response or no irq within +MAXCYCLES prints `SIMSPEED error`
//     and ends with $fatal (non-zero exit). Python checks C in the dump against the golden model
//     once more.
// Timing discipline (why the same file gives the same cycles on both simulators): every input of
// the design changes with a blocking assignment right after a falling edge, and outputs are
// sampled 1 ns before the next rising edge (all settled), i.e. the values the design samples at
// that edge. Nothing here races with the design at a rising edge. (An earlier version drove with
// `<=` in tasks called from `initial`: Verilator before 5.050 runs those as `=` (INITIALDLY), so a
// valid dropped at the very edge that should have taken it; the register write never completed
// and the Verilator run waited for its B response forever.)
module simspeed_tb;
    parameter integer ARRAY_N   = 8;
    parameter integer BUS_W     = 64;
    parameter integer KMAX      = 512;
    parameter integer MEM_BYTES = 1 << 20;
    parameter integer MAX_REGS  = 64;
    parameter [11:0]  STATUS_ADDR = 12'h014;        // tb/flows/simspeed.py passes them from regmap.json
    parameter [11:0]  CYCLES_LO_ADDR = 12'h080;
    parameter [11:0]  CYCLES_HI_ADDR = 12'h084;
    localparam integer WORDS = MEM_BYTES / (BUS_W / 8);

    reg clk = 1'b0;
    always #5 clk = ~clk;                           // rising edges at 5, 15, ...; falling at 10, 20, ...
    reg rst = 1'b1;
    integer cyc = 0;                                // rising edges so far
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

    // From a falling edge to the sampling point 1 ns before the next rising edge.
    localparam integer TO_SAMPLE = 4;

    reg aw_fire, w_fire, fire;
    reg [1:0] resp;
    task axil_write(input [11:0] addr, input [31:0] data);
        begin
            @(negedge clk);
            awaddr = addr; wdata = data; awvalid = 1'b1; wvalid = 1'b1; bready = 1'b1;
            while (awvalid || wvalid) begin
                #TO_SAMPLE;
                aw_fire = awvalid && awready; w_fire = wvalid && wready;
                @(negedge clk);                     // past the rising edge that took them
                if (aw_fire) awvalid = 1'b0;
                if (w_fire) wvalid = 1'b0;
            end
            fire = 1'b0;
            while (!fire) begin
                #TO_SAMPLE;
                fire = bvalid; resp = bresp;
                @(negedge clk);
            end
            bready = 1'b0;
            if (resp != 2'b00) $fatal(1, "SIMSPEED error: write of %h to %h answered %0d", data, addr, resp);
        end
    endtask

    task axil_read(input [11:0] addr, output [31:0] data);
        begin
            @(negedge clk);
            araddr = addr; arvalid = 1'b1; rready = 1'b1;
            fire = 1'b0;
            while (!fire) begin
                #TO_SAMPLE;
                fire = arready;
                @(negedge clk);
            end
            arvalid = 1'b0;
            fire = 1'b0;
            while (!fire) begin
                #TO_SAMPLE;
                fire = rvalid; data = rdata; resp = rresp;
                @(negedge clk);
            end
            rready = 1'b0;
            if (resp != 2'b00) $fatal(1, "SIMSPEED error: read of %h answered %0d", addr, resp);
        end
    endtask

    // No irq within +MAXCYCLES rising edges: one line and a non-zero exit, never a hang.
    integer max_cycles;
    initial begin
        if (!$value$plusargs("MAXCYCLES=%d", max_cycles)) max_cycles = 10_000_000;
        #(max_cycles * 10);
        $display("SIMSPEED error: timeout, no irq after %0d cycles", max_cycles);
        $fflush;
        $fatal(1, "SIMSPEED error: timeout");
    end

    reg [43:0]      writes [0:MAX_REGS-1];
    reg [BUS_W-1:0] got [0:WORDS-1];
    reg [BUS_W-1:0] want [0:WORDS-1];
    reg [8*256-1:0] regs_file, expect_file;
    integer         nregs, i, t_start, t_irq, c_lo, c_hi, bad, first_bad;
    reg [31:0]      status, lo, hi;
    initial begin
        if (!$value$plusargs("REGS=%s", regs_file)) regs_file = "regs.hex";
        if (!$value$plusargs("NREGS=%d", nregs)) nregs = 0;
        if (!$value$plusargs("EXPECT=%s", expect_file)) expect_file = "mem_expect.hex";
        if (!$value$plusargs("C_LO=%d", c_lo)) c_lo = 0;
        if (!$value$plusargs("C_HI=%d", c_hi)) c_hi = 0;
        if (nregs < 1 || nregs > MAX_REGS || c_hi <= c_lo || c_hi > WORDS)
            $fatal(1, "SIMSPEED error: need +NREGS=1..%0d and +C_LO < +C_HI <= %0d", MAX_REGS, WORDS);
        $readmemh(regs_file, writes, 0, nregs - 1);
        repeat (4) @(negedge clk);
        rst = 1'b0;
        @(negedge clk);
        load_req = 1'b1;
        @(negedge clk);
        load_req = 1'b0;
        for (i = 0; i < nregs; i = i + 1) axil_write(writes[i][43:32], writes[i][31:0]);
        t_start = cyc;                              // at the falling edge after CTRL's B response
        $display("SIMSPEED start cycle=%0d", t_start);
        $fflush;
        wait (irq);
        @(negedge clk);
        t_irq = cyc;                                // irq rose at the last rising edge
        $display("SIMSPEED irq cycle=%0d", t_irq);
        $fflush;
        axil_read(STATUS_ADDR, status);
        axil_read(CYCLES_LO_ADDR, lo);
        axil_read(CYCLES_HI_ADDR, hi);
        @(negedge clk);
        dump_req = 1'b1;
        @(negedge clk);
        dump_req = 1'b0;
        repeat (2) @(negedge clk);
        $display("SIMSPEED done status=%h perf_cycles=%0d waited=%0d violation=%0d", status,
                 {hi, lo}, t_irq - t_start, violation);
        $fflush;
        // C, bit for bit against the golden image
        $readmemh("mem_dump.hex", got);
        $readmemh(expect_file, want);
        bad = 0; first_bad = -1;
        for (i = c_lo; i < c_hi; i = i + 1)
            if (got[i] != want[i]) begin
                if (bad == 0) first_bad = i;
                bad = bad + 1;
            end
        if (bad != 0) begin
            $display("SIMSPEED error: C differs from the golden model in %0d of %0d words, first word %0d: %h, golden %h",
                     bad, c_hi - c_lo, first_bad, got[first_bad], want[first_bad]);
            $fflush;
            $fatal(1, "SIMSPEED error: C mismatch");
        end
        $display("SIMSPEED check C words=%0d bad=0", c_hi - c_lo);
        $fflush;
        $finish;
    end
endmodule
`default_nettype wire
