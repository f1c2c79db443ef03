`default_nettype none
// Properties of rtl/csr_regfile.v as an AXI4-Lite slave, from the AMBA AXI and ACE protocol
// specification (ARM IHI 0022, part B "AMBA AXI4-Lite" and the channel rules of part A it
// keeps), proven by k-induction (tb/formal/csr_regfile.sby).
//
// The master is free except for the rules a master must keep (assumed); the controller inputs
// (busy, done_set, err_set, err_code_in, perf_*) are free at every cycle. Which offsets answer
// SLVERR comes from rtl/regmap.json, the source of docs/registers.md: tools/formal.py writes
// the two functions csr_mapped / csr_writable into csr_map.vh before the proof.
// The .sby script `expose`s aw_hold, w_hold and aw_addr_q for the induction invariants.
module csr_regfile_props (
    input wire        clk,
    input wire        rst,
    input wire [11:0] awaddr,
    input wire        awvalid,
    input wire [31:0] wdata,
    input wire [3:0]  wstrb,
    input wire        wvalid,
    input wire        bready,
    input wire [11:0] araddr,
    input wire        arvalid,
    input wire        rready,
    input wire        busy,
    input wire        done_set,
    input wire        err_set,
    input wire [7:0]  err_code_in,
    input wire [63:0] perf_cycles, perf_compute, perf_stall, perf_bytes_rd, perf_bytes_wr,
    input wire [31:0] perf_tiles, perf_tiles_skipped
);
    localparam [1:0] OKAY = 2'b00, SLVERR = 2'b10;
`include "csr_map.vh"

    wire        awready, wready, bvalid, arready, rvalid;
    wire [1:0]  bresp, rresp;
    wire [31:0] rdata;
    wire        aw_hold, w_hold;
    wire [11:0] aw_addr_q;

    /* the descriptor / control outputs are not looked at here */
    csr_regfile dut (   // default parameters: an override would re-elaborate the module without the exposed ports
        .clk(clk), .rst(rst),
        .s_axi_awaddr(awaddr), .s_axi_awvalid(awvalid), .s_axi_awready(awready),
        .s_axi_wdata(wdata), .s_axi_wstrb(wstrb), .s_axi_wvalid(wvalid), .s_axi_wready(wready),
        .s_axi_bresp(bresp), .s_axi_bvalid(bvalid), .s_axi_bready(bready),
        .s_axi_araddr(araddr), .s_axi_arvalid(arvalid), .s_axi_arready(arready),
        .s_axi_rdata(rdata), .s_axi_rresp(rresp), .s_axi_rvalid(rvalid), .s_axi_rready(rready),
        .start_pulse(), .soft_reset_pulse(), .irq_enable(), .overlap_enable(), .chain_enable(),
        .desc_a_addr(), .desc_b_addr(), .desc_c_addr(), .desc_bias_addr(), .desc_spmap_addr(),
        .desc_chain_addr(), .desc_m(), .desc_n(), .desc_k(), .desc_lda(), .desc_ldb(),
        .desc_ldc(), .desc_scale(), .desc_shift(), .desc_flags(),
        .busy(busy), .done_set(done_set), .err_set(err_set), .err_code_in(err_code_in),
        .perf_cycles(perf_cycles), .perf_compute(perf_compute), .perf_stall(perf_stall),
        .perf_bytes_rd(perf_bytes_rd), .perf_bytes_wr(perf_bytes_wr), .perf_tiles(perf_tiles),
        .perf_tiles_skipped(perf_tiles_skipped), .irq(),
        .aw_hold(aw_hold), .w_hold(w_hold), .aw_addr_q(aw_addr_q));

    reg f_past_valid = 1'b0;
    always @(posedge clk) f_past_valid <= 1'b1;
    always @(*) if (!f_past_valid) assume(rst);
    reg  f_rst_q = 1'b1;
    always @(posedge clk) f_rst_q <= rst;
    wire f_run = f_past_valid && !f_rst_q && !rst;   // this cycle and the last out of reset

    // ================= the master's rules (assumed) =================
    // A3.1.2 reset: a master drives ARVALID, AWVALID and WVALID LOW while ARESETn is asserted
    always @(*) if (rst) assume(!awvalid && !wvalid && !arvalid);
    always @(posedge clk) if (f_run) begin
        // A3.2.1 handshake: once a master asserts xVALID it keeps it asserted until the
        // handshake, and keeps the information it carries unchanged
        if ($past(awvalid && !awready)) assume(awvalid && $stable(awaddr));
        if ($past(wvalid && !wready))   assume(wvalid && $stable(wdata) && $stable(wstrb));
        if ($past(arvalid && !arready)) assume(arvalid && $stable(araddr));
    end

    // ================= the slave's rules (asserted) =================
    wire aw_go = awvalid && awready, w_go = wvalid && wready, ar_go = arvalid && arready;
    // a response newly presented this cycle (not one held from the cycle before)
    reg  b_held = 1'b0, r_held = 1'b0;   // a response was shown and not taken last cycle
    always @(posedge clk) begin
        b_held <= bvalid && !bready;
        r_held <= rvalid && !rready;
    end
    wire b_new = bvalid && !b_held;
    wire r_new = rvalid && !r_held;

    // requests accepted and not yet answered, and the address of the one outstanding
    reg [1:0]  n_aw = 2'd0, n_w = 2'd0, n_ar = 2'd0;
    reg [11:0] f_awaddr, f_araddr;
    always @(posedge clk) begin
        if (rst) begin
            n_aw <= 2'd0; n_w <= 2'd0; n_ar <= 2'd0;
        end else begin
            n_aw <= n_aw + aw_go - b_new;
            n_w  <= n_w  + w_go  - b_new;
            n_ar <= n_ar + ar_go - r_new;
        end
        if (aw_go) f_awaddr <= awaddr;
        if (ar_go) f_araddr <= araddr;
    end

    always @(posedge clk) if (f_past_valid && $past(rst)) begin
        // A3.1.2 reset: a slave drives RVALID and BVALID LOW while ARESETn is asserted
        assert(!bvalid);
        assert(!rvalid);
    end

    always @(posedge clk) if (f_run) begin
        // A3.2.1 handshake: BVALID, once asserted, stays asserted until BREADY, with BRESP
        // unchanged
        if ($past(bvalid && !bready)) assert(bvalid);
        if ($past(bvalid && !bready)) assert($stable(bresp));
        // A3.2.1 handshake: RVALID stays asserted until RREADY, with RDATA and RRESP unchanged
        if ($past(rvalid && !rready)) assert(rvalid);
        if ($past(rvalid && !rready)) assert($stable(rdata) && $stable(rresp));
    end

    always @(*) if (!rst) begin
        // A3.3.1 dependencies (B2.1 for AXI4-Lite): the slave presents a write response only
        // after both the AW and the W handshake of that write; no response without a request
        if (b_new) assert(n_aw != 2'd0 && n_w != 2'd0);
        // A3.3.1: a read response only after the AR handshake of that read
        if (r_new) assert(n_ar != 2'd0);
        // exactly one response per request: never two requests of a channel outstanding
        // (one write and one read in flight, docs/registers.md), never a count below zero
        assert(n_aw <= 2'd1 && n_w <= 2'd1 && n_ar <= 2'd1);
        // and every request is answered: a read in the cycle after its AR ...
        if (n_ar != 2'd0) assert(r_new);
        // B1.2 AXI4-Lite responses: OKAY or SLVERR (no EXOKAY), and SLVERR exactly where
        // docs/registers.md says: a write to an offset without a register or to a register
        // whose fields are all read-only; a read of an offset without a register (data 0)
        if (b_new) assert(bresp == (csr_writable(f_awaddr) ? OKAY : SLVERR));
        if (r_new) assert(rresp == (csr_mapped(f_araddr) ? OKAY : SLVERR));
        if (r_new && !csr_mapped(f_araddr)) assert(rdata == 32'd0);
        // auxiliary invariants for the induction: the held AW / W are the outstanding ones
        assert(aw_hold == (n_aw != 2'd0 && !b_new));
        assert(w_hold  == (n_w  != 2'd0 && !b_new));
        if (aw_hold) assert(aw_addr_q == {f_awaddr[11:2], 2'b00});
    end
    // ... and a write in the cycle after both its AW and W are in, once no earlier B is held
    always @(posedge clk)
        if (f_run && $past(aw_hold && w_hold && !bvalid)) assert(b_new);

    // reachability: SLVERR on each channel, and a write answered while the next AW arrives
    always @(posedge clk) if (!rst) begin
        cover(b_new && bresp == SLVERR);
        cover(r_new && rresp == SLVERR);
        cover(b_new && bresp == OKAY && aw_go);
    end
endmodule
`default_nettype wire
