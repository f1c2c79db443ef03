`default_nettype none
// Properties of rtl/dma_reader.v as an AXI4 read master, from the AMBA AXI protocol
// specification (ARM IHI 0022, part A), checked at its ports only (so they hold for any
// internal structure) at BUS_W 32, MAX_OUTSTANDING 2, MAX_BURST 4, FIFO_DEPTH 8
// (tb/formal/dma_reader.sby: bounded model checks).
//
// The slave is free except for the rules a slave must keep (assumed), and it returns as data
// the byte address of each beat, so the stream can be checked against the commands.
module dma_reader_props (
    input wire        clk,
    input wire        rst,
    input wire        cmd_valid,
    input wire [31:0] cmd_addr,
    input wire [31:0] cmd_len,
    input wire        out_ready,
    input wire        abort_req,
    input wire        arready,
    input wire [31:0] rdata,
    input wire [1:0]  rresp,
    input wire        rlast,
    input wire        rvalid
);
    localparam integer MAX_BURST = 4, MAX_OUTSTANDING = 2;

    wire        cmd_ready, out_valid, out_last, out_err, busy, err_cmd, err_bus;
    wire        arvalid, rready;
    wire [31:0] out_data, araddr;
    wire [7:0]  arlen;
    wire [2:0]  arsize;
    wire [1:0]  arburst;

    dma_reader #(.BUS_W(32), .MAX_OUTSTANDING(MAX_OUTSTANDING), .MAX_BURST(MAX_BURST),
                 .FIFO_DEPTH(8)) dut (
        .clk(clk), .rst(rst),
        .cmd_valid(cmd_valid), .cmd_ready(cmd_ready), .cmd_addr(cmd_addr), .cmd_len(cmd_len),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data),
        .out_last(out_last), .out_err(out_err),
        .abort_req(abort_req), .busy(busy), .err_cmd(err_cmd), .err_bus(err_bus),
        .m_axi_araddr(araddr), .m_axi_arlen(arlen), .m_axi_arsize(arsize),
        .m_axi_arburst(arburst), .m_axi_arvalid(arvalid), .m_axi_arready(arready),
        .m_axi_rdata(rdata), .m_axi_rresp(rresp), .m_axi_rlast(rlast),
        .m_axi_rvalid(rvalid), .m_axi_rready(rready));

    reg f_past_valid = 1'b0, f_rst_q = 1'b1;
    always @(posedge clk) begin f_past_valid <= 1'b1; f_rst_q <= rst; end
    always @(*) if (!f_past_valid) assume(rst);
    wire f_run = f_past_valid && !f_rst_q && !rst;

    wire ar_go = arvalid && arready, r_go = rvalid && rready;
    wire cmd_go = cmd_valid && cmd_ready, out_go = out_valid && out_ready;

    // ---- bursts accepted on AR and not finished on R (in order: one ID) ----
    reg [31:0] aq_addr [0:3];
    reg [7:0]  aq_len  [0:3];
    reg [1:0]  aq_wr = 0, aq_rd = 0;
    reg [2:0]  aq_n = 0;
    reg [7:0]  f_rbeat = 0;
    wire       r_end = r_go && rlast;
    always @(posedge clk) if (rst) begin
        aq_wr <= 0; aq_rd <= 0; aq_n <= 0; f_rbeat <= 0;
    end else begin
        if (ar_go) begin aq_addr[aq_wr] <= araddr; aq_len[aq_wr] <= arlen; aq_wr <= aq_wr + 1'b1; end
        if (r_end) aq_rd <= aq_rd + 1'b1;
        aq_n <= aq_n + ar_go - r_end;
        if (r_go) f_rbeat <= rlast ? 8'd0 : f_rbeat + 8'd1;
    end

    // ================= environment (assumed) =================
    always @(*) assume(cmd_len <= 32'd24);   // at most 6 beats per command: a small check
    always @(*) if (rst) assume(!rvalid);
    // A3.3.1 dependencies: read data only after the AR handshake of its burst; RLAST on the
    // last beat (A3.4.1); the data of each beat is its byte address (the test pattern)
    always @(*) if (rvalid) begin
        assume(aq_n != 0);
        assume(rlast == (f_rbeat == aq_len[aq_rd]));
        assume(rdata == aq_addr[aq_rd] + {22'd0, f_rbeat, 2'b00});
    end
    // A3.2.1: RVALID held until RREADY with the payload unchanged
    always @(posedge clk) if (f_run && $past(rvalid && !rready))
        assume(rvalid && $stable(rdata) && $stable(rresp) && $stable(rlast));

    // ================= commands accepted (good ones), consumed by the stream ===============
    wire [32:0] cmd_end = {1'b0, cmd_addr} + {1'b0, cmd_len};
    wire cmd_bad = (cmd_addr[1:0] != 2'b00) || (cmd_len == 0) || (cmd_end > 33'h1_0000_0000);
    reg [31:0] cq_addr  [0:7];
    reg [7:0]  cq_beats [0:7];
    reg [2:0]  cq_wr = 0, cq_rd = 0;
    reg [3:0]  cq_n = 0;
    reg [7:0]  f_cbeat = 0;
    wire       f_cmd_last = (f_cbeat == cq_beats[cq_rd] - 8'd1);
    reg        f_aborted = 1'b0, f_abort_pend = 1'b0;
    wire       f_draining = f_abort_pend && busy;
    always @(posedge clk) if (rst) begin
        cq_wr <= 0; cq_rd <= 0; cq_n <= 0; f_cbeat <= 0; f_aborted <= 0; f_abort_pend <= 0;
    end else begin
        if (cmd_go && !cmd_bad) begin
            cq_addr[cq_wr] <= cmd_addr;
            cq_beats[cq_wr] <= cmd_len[9:2] + (cmd_len[1:0] != 2'd0);
            cq_wr <= cq_wr + 1'b1;
        end
        if (out_go) begin
            f_cbeat <= f_cmd_last ? 8'd0 : f_cbeat + 8'd1;
            if (f_cmd_last) cq_rd <= cq_rd + 1'b1;
        end
        cq_n <= cq_n + (cmd_go && !cmd_bad) - (out_go && f_cmd_last);
        if (abort_req) begin f_aborted <= 1'b1; f_abort_pend <= 1'b1; end
        else if (!busy) f_abort_pend <= 1'b0;
    end

    // ================= the master's rules (asserted) =================
    // A3.1.2 reset: ARVALID is LOW in the first cycle out of reset
    always @(posedge clk) if (f_past_valid && f_rst_q) assert(!arvalid);
    always @(posedge clk) if (f_run) begin
        // A3.2.1 handshake: ARVALID stays asserted until ARREADY, address and control unchanged
        if ($past(arvalid && !arready)) assert(arvalid);
        if ($past(arvalid && !arready))
            assert($stable(araddr) && $stable(arlen) && $stable(arsize) && $stable(arburst));
    end
    always @(*) if (!rst) begin
        if (arvalid) begin
            // A3.4.1 burst length: INCR bursts of 1..256 beats, here at most MAX_BURST
            assert({1'b0, arlen} + 9'd1 <= MAX_BURST);
            // A3.4.1: a burst must not cross a 4 KB address boundary
            assert({1'b0, araddr[11:0]} + ({5'd0, arlen} + 13'd1) * 4 <= 13'h1000);
            // A3.4.1 burst size: ARSIZE = the bus width, address aligned to it; INCR
            assert(arsize == 3'd2 && araddr[1:0] == 2'b00);
            assert(arburst == 2'b01);
        end
        // in flight bounded: bursts accepted and not finished, plus one presented
        assert(aq_n + arvalid <= MAX_OUTSTANDING + 1);
        assert(aq_n <= MAX_OUTSTANDING);
        // abort: no beat delivered and no command taken from the abort cycle until busy falls
        // (an AR issued before the abort may still be presented: AXI lets it go out, and the
        // drain below waits for its data)
        if (abort_req || f_draining) assert(!out_valid && !cmd_ready);
        // idle leaves nothing open: no AR presented, every accepted burst finished on R
        if (!busy) assert(!arvalid && aq_n == 0);
`ifdef DATA_CHECKS
        assert(cq_n < 4'd8);   // the command queue of this checker is deep enough
        if (!f_aborted && out_valid) begin
            // every command's bytes delivered once, in order: beat i of a command is the word
            // at cmd_addr + 4i, and out_last marks the command's last beat only
            assert(cq_n != 0);
            assert(out_data == cq_addr[cq_rd] + {22'd0, f_cbeat, 2'b00});
            assert(out_last == f_cmd_last);
        end
`endif
    end

    always @(posedge clk) if (!rst) begin
        cover(ar_go && arlen == 8'd3);
        cover(ar_go && araddr[11:0] == 12'hFFC);
        cover(out_go && out_last && f_past_valid && $past(out_go));
        cover(f_past_valid && $past(f_draining) && !busy && aq_n == 0);  // an abort drain ends
    end
endmodule
`default_nettype wire
