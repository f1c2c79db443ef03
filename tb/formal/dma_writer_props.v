`default_nettype none
// Properties of rtl/dma_writer.v as an AXI4 write master, from the AMBA AXI protocol
// specification (ARM IHI 0022, part A), checked at its ports only (so they hold for any
// internal structure) at BUS_W 32, MAX_BURST 4, MAX_OUTSTANDING 2, FIFO_DEPTH 8
// (tb/formal/dma_writer.sby: bounded model check).
//
// The slave is free except for the rules a slave must keep (assumed). Commands and input beats
// come at any time; a command may be bad (misaligned, zero length, past 2^32) and is then to be
// dropped. Input beat n carries n in its low data byte and its strobe in its top nibble, so the
// order and the strobes of the written beats can be checked against the commands.
module dma_writer_props (
    input wire        clk,
    input wire        rst,
    input wire        cmd_valid,
    input wire [31:0] cmd_addr,
    input wire [31:0] cmd_len,
    input wire        in_valid,
    input wire [31:0] in_data,
    input wire [3:0]  in_strb,
    input wire        awready,
    input wire        wready,
    input wire [1:0]  bresp,
    input wire        bvalid,
    input wire        abort_req
);
    localparam integer BYTES = 4, MAX_BURST = 4, MAX_OUTSTANDING = 2;

    wire        cmd_ready, in_ready, awvalid, wvalid, wlast, bready, busy, done, err_cmd, err_bus;
    wire [31:0] awaddr, wdata;
    wire [7:0]  awlen;
    wire [2:0]  awsize;
    wire [1:0]  awburst;
    wire [3:0]  wstrb;

    dma_writer #(.BUS_W(32), .MAX_BURST(MAX_BURST), .MAX_OUTSTANDING(MAX_OUTSTANDING),
                 .FIFO_DEPTH(8)) dut (
        .clk(clk), .rst(rst),
        .cmd_valid(cmd_valid), .cmd_ready(cmd_ready), .cmd_addr(cmd_addr), .cmd_len(cmd_len),
        .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data), .in_strb(in_strb),
        .m_axi_awaddr(awaddr), .m_axi_awlen(awlen), .m_axi_awsize(awsize),
        .m_axi_awburst(awburst), .m_axi_awvalid(awvalid), .m_axi_awready(awready),
        .m_axi_wdata(wdata), .m_axi_wstrb(wstrb), .m_axi_wlast(wlast), .m_axi_wvalid(wvalid),
        .m_axi_wready(wready), .m_axi_bresp(bresp), .m_axi_bvalid(bvalid),
        .m_axi_bready(bready), .abort_req(abort_req), .busy(busy), .done(done),
        .err_cmd(err_cmd), .err_bus(err_bus));

    reg f_past_valid = 1'b0, f_rst_q = 1'b1;
    always @(posedge clk) begin f_past_valid <= 1'b1; f_rst_q <= rst; end
    always @(*) if (!f_past_valid) assume(rst);
    wire f_run = f_past_valid && !f_rst_q && !rst;

    wire aw_go = awvalid && awready, w_go = wvalid && wready, b_go = bvalid && bready;
    wire in_go = in_valid && in_ready, cmd_go = cmd_valid && cmd_ready;

    // ---- event counts (mod 16 / 256; the checked depth stays far below a wrap) ----
    reg [3:0] n_aw = 0, n_wlast = 0, n_b = 0;
    reg [7:0] n_in = 0, n_wb = 0;
    always @(posedge clk) if (rst) begin
        n_aw <= 0; n_wlast <= 0; n_b <= 0; n_in <= 0; n_wb <= 0;
    end else begin
        n_aw <= n_aw + aw_go; n_wlast <= n_wlast + (w_go && wlast); n_b <= n_b + b_go;
        n_in <= n_in + in_go; n_wb <= n_wb + w_go;
    end

    // ================= environment (assumed) =================
    // the test data: input beat n carries n and its own strobe
    always @(*) assume(in_data[7:0] == n_in && in_data[31:28] == in_strb);
    // commands of at most 24 bytes (6 beats, two or more bursts) keep the check small
    always @(*) assume(cmd_len <= 32'd24);
    // A3.3.1 dependencies: the slave gives BVALID only after the AW handshake and the last W
    // handshake of that write; A3.2.1: BVALID held until BREADY with BRESP unchanged
    always @(*) if (bvalid) assume(n_b != n_aw && n_b != n_wlast);
    always @(*) if (rst) assume(!bvalid);
    always @(posedge clk) if (f_run && $past(bvalid && !bready)) assume(bvalid && $stable(bresp));

    // ================= AW bursts as presented (in order; W may not run ahead of them) ===========
    reg        aw_held = 1'b0;
    always @(posedge clk) aw_held <= !rst && awvalid && !awready;
    wire       aw_new = awvalid && !aw_held;
    reg [31:0] aq_addr [0:3];
    reg [7:0]  aq_len  [0:3];
    reg [1:0]  aq_wr = 0, aq_rd = 0;
    reg [2:0]  aq_n = 0;
    reg [7:0]  f_wbeat = 0;        // beat index within the burst on W
    wire       w_end = w_go && wlast;
    always @(posedge clk) if (rst) begin
        aq_wr <= 0; aq_rd <= 0; aq_n <= 0; f_wbeat <= 0;
    end else begin
        if (aw_new) begin aq_addr[aq_wr] <= awaddr; aq_len[aq_wr] <= awlen; aq_wr <= aq_wr + 1'b1; end
        if (w_end) aq_rd <= aq_rd + 1'b1;
        aq_n <= aq_n + aw_new - w_end;
        if (w_go) f_wbeat <= wlast ? 8'd0 : f_wbeat + 8'd1;
    end
    // the burst at the head of W: the oldest presented one, or the one presented this cycle
    wire [7:0]  w_len  = (aq_n == 0) ? awlen : aq_len[aq_rd];
    wire [31:0] w_addr = ((aq_n == 0) ? awaddr : aq_addr[aq_rd]) + {22'd0, f_wbeat, 2'b00};

    // ================= commands accepted (good ones), consumed by the W beats ==================
    wire [32:0] cmd_end = {1'b0, cmd_addr} + {1'b0, cmd_len};
    wire cmd_bad = (cmd_addr[1:0] != 2'b00) || (cmd_len == 0) || (cmd_end > 33'h1_0000_0000);
    reg [31:0] cq_addr  [0:7];
    reg [7:0]  cq_beats [0:7];
    reg [1:0]  cq_rem   [0:7];
    reg [2:0]  cq_wr = 0, cq_rd = 0;
    reg [3:0]  cq_n = 0;
    reg [7:0]  f_cbeat = 0;        // beat index within the command at the head
    wire [7:0] f_cmd_beats = cq_beats[cq_rd];
    wire       f_cmd_last = (f_cbeat == f_cmd_beats - 8'd1);
    wire [1:0] f_rem = cq_rem[cq_rd];
    wire [3:0] f_lenmask = (!f_cmd_last || f_rem == 2'd0) ? 4'b1111 :
                           (f_rem == 2'd1) ? 4'b0001 : (f_rem == 2'd2) ? 4'b0011 : 4'b0111;
    reg        f_aborted = 1'b0;   // an abort has happened: the data checks stop
    reg        f_abort_pend = 1'b0;   // an abort was requested and busy has not fallen since
    wire       f_draining = f_abort_pend && busy;
    always @(posedge clk) if (rst) begin
        cq_wr <= 0; cq_rd <= 0; cq_n <= 0; f_cbeat <= 0; f_aborted <= 0; f_abort_pend <= 0;
    end else begin
        if (cmd_go && !cmd_bad) begin
            cq_addr[cq_wr] <= cmd_addr; cq_rem[cq_wr] <= cmd_len[1:0];
            cq_beats[cq_wr] <= cmd_len[9:2] + (cmd_len[1:0] != 2'd0);
            cq_wr <= cq_wr + 1'b1;
        end
        if (w_go) begin
            f_cbeat <= f_cmd_last ? 8'd0 : f_cbeat + 8'd1;
            if (f_cmd_last) cq_rd <= cq_rd + 1'b1;
        end
        cq_n <= cq_n + (cmd_go && !cmd_bad) - (w_go && f_cmd_last);
        if (abort_req) begin f_aborted <= 1'b1; f_abort_pend <= 1'b1; end
        else if (!busy) f_abort_pend <= 1'b0;
    end

    // ================= the master's rules (asserted) =================
    always @(posedge clk) if (f_past_valid && f_rst_q) begin
        // A3.1.2 reset: AWVALID and WVALID are LOW in the first cycle out of reset
        assert(!awvalid);
        assert(!wvalid);
    end
    always @(posedge clk) if (f_run) begin
        // A3.2.1 handshake: AWVALID stays asserted until AWREADY, the address and control
        // information unchanged
        if ($past(awvalid && !awready)) assert(awvalid);
        if ($past(awvalid && !awready))
            assert($stable(awaddr) && $stable(awlen) && $stable(awsize) && $stable(awburst));
        // A3.2.1 handshake: WVALID stays asserted until WREADY, WDATA/WSTRB/WLAST unchanged
        if ($past(wvalid && !wready)) assert(wvalid);
        if ($past(wvalid && !wready)) assert($stable(wdata) && $stable(wstrb) && $stable(wlast));
        // abort: no new AW, no command and no input beat taken until busy falls
        if (f_draining) assert(!aw_new);
    end
    always @(*) if (!rst) begin
        if (awvalid) begin
            // A3.4.1 burst length: INCR bursts of 1..256 beats, here at most MAX_BURST
            assert({1'b0, awlen} + 9'd1 <= MAX_BURST);
            // A3.4.1: a burst must not cross a 4 KB address boundary
            assert({1'b0, awaddr[11:0]} + ({5'd0, awlen} + 13'd1) * BYTES <= 13'h1000);
            // A3.4.1 burst size: AWSIZE = the bus width (never wider), address aligned to it
            assert(awsize == 3'd2 && awaddr[1:0] == 2'b00);
            // A3.4.1 burst type: INCR
            assert(awburst == 2'b01);
        end
        // WLAST on the last beat of the burst and only there (A3.4.1, "WLAST")
        if (wvalid) assert(aq_n != 0 || aw_new);
        if (wvalid) assert(wlast == (f_wbeat == w_len));
        // in flight bounded: bursts presented and not finished on W, and AWs not answered by B
        assert(aq_n <= MAX_OUTSTANDING);
        assert(n_aw - n_b <= MAX_OUTSTANDING);
        // B only for a finished write (the slave's rule) keeps the response count behind
        assert(n_b <= n_aw);
        if (f_draining || abort_req) assert(!cmd_ready && !in_ready);
        // idle leaves nothing open: every presented AW was accepted, every burst finished on
        // W and answered by B
        if (!busy) assert(!awvalid && aq_n == 0 && n_aw == n_b);
`ifdef DATA_CHECKS
        // the command queue of this checker is deep enough
        assert(cq_n < 4'd8);
        if (!f_aborted) begin
            // every command's bytes written once, in order: the W beats are the input beats in
            // sequence, at the addresses of the accepted commands, beat after beat
            if (wvalid) assert(cq_n != 0);
            if (wvalid) assert(wdata[7:0] == n_wb);
            if (wvalid) assert(w_addr == cq_addr[cq_rd] + {22'd0, f_cbeat, 2'b00});
            // WSTRB = the beat's own strobe, cut to the command's length on its last beat
            if (wvalid) assert(wstrb == (wdata[31:28] & f_lenmask));
            // and all of them: when the writer is idle no accepted command is left unwritten
            if (!busy) assert(cq_n == 0);
        end
`endif
    end

    // reachability
    always @(posedge clk) if (!rst) begin
        cover(aw_go && awlen == 8'd3);                      // a full burst
        cover(aw_go && awaddr[11:0] == 12'hFFC);            // a burst ending at a 4 KB boundary
        cover(f_past_valid && $past(f_abort_pend) && !f_abort_pend && n_aw != 0);  // an abort ends
    end
endmodule
`default_nettype wire
