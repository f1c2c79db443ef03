`default_nettype none
// Simulation toplevel for tb/test_dram_model.py: tb/hdl/dram_model.v driven by a table-driven
// AXI master, an AXI protocol checker on the bus, and a log of every handshake, so no Python
// runs per cycle. On load_req it reads (simulator working directory):
//   mem_load.hex  the memory image (dram_model's bulk load)
//   ar_tab.hex    one read per line  {offer[31:0], addr[31:0], len[7:0]} (ARLEN = beats - 1)
//   aw_tab.hex    one write per line, same layout
//   w_tab.hex     every W beat in order {strb, data}
// and opens dram_log.txt. Request i of a channel is valid from the edge max(offer_i, the edge
// after request i-1 was accepted) until accepted; W beats go out back to back from the edge
// after their AW was accepted; RREADY = BREADY = 1. Each handshake is logged with the edge
// number counted as dram_model counts it (1 = first edge after reset):
//   AR <edge> | AW <edge> | W <edge> | R <edge> <rresp> <rlast> <rdata hex> | B <edge> <bresp>
// `finished` rises when n_ar reads (n_rbeats beats) and n_aw writes (their B) are done.
module dram_harness #(
    parameter integer BUS_W       = 64,
    parameter integer MEM_BYTES   = 1 << 18,
    parameter integer TAB_DEPTH   = 4096,
    parameter integer WTAB_DEPTH  = 16384,
    parameter integer T_CL = 0, T_CWL = 0, T_RCD = 0, T_RP = 0, T_RAS = 0, T_RTP = 0,
    parameter integer T_WTR = 0, T_WR = 0, T_CCD = 0, T_RTW = 0, T_BURST = 0, T_CTRL = -1, T_RFC = 0,
    parameter integer T_REFI = 0, BANKS = 0, ROW_BYTES = 0, ATOM_BYTES = 0, QUEUE_DEPTH = 0
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        load_req,
    input  wire        dump_req,
    input  wire [31:0] n_ar,
    input  wire [31:0] n_aw,
    input  wire [31:0] n_rbeats,
    input  wire [31:0] n_wbeats,
    input  wire [31:0] cfg_err_lo,
    input  wire [31:0] cfg_err_hi,
    output wire        finished,
    output wire        violation,
    output wire [31:0] rd_outstanding,
    output wire [31:0] wr_outstanding
);
    localparam integer BYTES = BUS_W / 8;

    reg  [31:0]      araddr, awaddr;
    reg  [7:0]       arlen, awlen;
    reg              arvalid, awvalid, wvalid, wlast;
    reg  [BUS_W-1:0] wdata;
    reg  [BYTES-1:0] wstrb;
    wire             arready, awready, wready, rvalid, rlast, bvalid;
    wire [1:0]       rresp, bresp;
    wire [BUS_W-1:0] rdata;
    wire [31:0]      mem_rd_beats, mem_wr_beats;

    dram_model #(
        .BUS_W(BUS_W), .MEM_BYTES(MEM_BYTES),
        .T_CL(T_CL), .T_CWL(T_CWL), .T_RCD(T_RCD), .T_RP(T_RP), .T_RAS(T_RAS), .T_RTP(T_RTP),
        .T_WTR(T_WTR), .T_WR(T_WR), .T_CCD(T_CCD), .T_RTW(T_RTW), .T_BURST(T_BURST), .T_CTRL(T_CTRL),
        .T_RFC(T_RFC), .T_REFI(T_REFI), .BANKS(BANKS), .ROW_BYTES(ROW_BYTES),
        .ATOM_BYTES(ATOM_BYTES), .QUEUE_DEPTH(QUEUE_DEPTH)
    ) u_mem (
        .clk(clk), .rst(rst),
        .s_axi_awaddr(awaddr), .s_axi_awlen(awlen), .s_axi_awsize(3'd3), .s_axi_awburst(2'b01),
        .s_axi_awvalid(awvalid), .s_axi_awready(awready),
        .s_axi_wdata(wdata), .s_axi_wstrb(wstrb), .s_axi_wlast(wlast), .s_axi_wvalid(wvalid),
        .s_axi_wready(wready), .s_axi_bresp(bresp), .s_axi_bvalid(bvalid), .s_axi_bready(1'b1),
        .s_axi_araddr(araddr), .s_axi_arlen(arlen), .s_axi_arsize(3'd3), .s_axi_arburst(2'b01),
        .s_axi_arvalid(arvalid), .s_axi_arready(arready),
        .s_axi_rdata(rdata), .s_axi_rresp(rresp), .s_axi_rlast(rlast), .s_axi_rvalid(rvalid),
        .s_axi_rready(1'b1),
        .cfg_rd_latency(16'd0), .cfg_wr_latency(16'd0), .cfg_stall_pct(8'd0),
        .cfg_beat_gap(16'd0), .cfg_seed(32'd0), .cfg_err_lo(cfg_err_lo), .cfg_err_hi(cfg_err_hi),
        .load_req(load_req), .dump_req(dump_req), .cfg_dump_lo(32'd0), .cfg_dump_hi(32'd0),
        .rd_beats(mem_rd_beats), .wr_beats(mem_wr_beats));

    axi_protocol_checker #(.LITE(0), .DATA_W(BUS_W), .ADDR_W(32), .MAX_PENDING(512)) u_chk (
        .clk(clk), .rst(rst),
        .awaddr(awaddr), .awlen(awlen), .awsize(3'd3), .awburst(2'b01),
        .awvalid(awvalid), .awready(awready),
        .wdata(wdata), .wstrb(wstrb), .wlast(wlast), .wvalid(wvalid), .wready(wready),
        .bresp(bresp), .bvalid(bvalid), .bready(1'b1),
        .araddr(araddr), .arlen(arlen), .arsize(3'd3), .arburst(2'b01),
        .arvalid(arvalid), .arready(arready),
        .rdata(rdata), .rresp(rresp), .rlast(rlast), .rvalid(rvalid), .rready(1'b1),
        .violation(violation), .violations(), .rd_outstanding(rd_outstanding),
        .wr_outstanding(wr_outstanding), .rd_bursts(), .wr_bursts());

    reg [71:0]        ar_tab [0:TAB_DEPTH-1];
    reg [71:0]        aw_tab [0:TAB_DEPTH-1];
    reg [BYTES+BUS_W-1:0] w_tab [0:WTAB_DEPTH-1];
    integer log_fd;
    initial log_fd = 0;

    integer cyc, ar_i, aw_i, w_j, w_in, w_b, w_owed, r_n, b_n;
    reg [71:0] ent;
    assign finished = (ar_i == n_ar) && (aw_i == n_aw) && (r_n == n_rbeats) && (b_n == n_aw);

    always @(posedge clk) begin
        if (load_req) begin
            $readmemh("ar_tab.hex", ar_tab, 0, (n_ar > 0 ? n_ar : 1) - 1);
            $readmemh("aw_tab.hex", aw_tab, 0, (n_aw > 0 ? n_aw : 1) - 1);
            $readmemh("w_tab.hex", w_tab, 0, (n_wbeats > 0 ? n_wbeats : 1) - 1);
            if (log_fd != 0) $fclose(log_fd);
            log_fd = $fopen("dram_log.txt", "w");
        end
        if (dump_req && log_fd != 0) $fflush(log_fd);
        if (rst) begin
            cyc = 0; ar_i = 0; aw_i = 0; w_j = 0; w_in = 0; w_b = 0; w_owed = 0; r_n = 0; b_n = 0;
            arvalid <= 1'b0; awvalid <= 1'b0; wvalid <= 1'b0; wlast <= 1'b0;
            araddr <= 32'd0; awaddr <= 32'd0; arlen <= 8'd0; awlen <= 8'd0;
            wdata <= {BUS_W{1'b0}}; wstrb <= {BYTES{1'b0}};
        end else begin
            cyc = cyc + 1;
            // handshakes of this edge (values as sampled at the edge)
            if (arvalid && arready) begin
                $fdisplay(log_fd, "AR %0d", cyc);
                ar_i = ar_i + 1;
            end
            if (awvalid && awready) begin
                $fdisplay(log_fd, "AW %0d", cyc);
                aw_i = aw_i + 1;
            end
            if (wvalid && wready) begin
                $fdisplay(log_fd, "W %0d", cyc);
                w_j = w_j + 1;
                w_owed = w_owed - 1;
                if (wlast) begin
                    w_in = 0;
                    w_b = w_b + 1;
                end else begin
                    w_in = w_in + 1;
                end
            end
            if (rvalid) begin
                $fdisplay(log_fd, "R %0d %0d %0d %h", cyc, rresp, rlast, rdata);
                r_n = r_n + 1;
            end
            if (bvalid) begin
                $fdisplay(log_fd, "B %0d %0d", cyc, bresp);
                b_n = b_n + 1;
            end
            if (awvalid && awready) w_owed = w_owed + awlen + 1;
            // what the master drives for the next edge
            if (!arvalid || arready) begin
                ent = ar_tab[ar_i % TAB_DEPTH];
                if (ar_i < n_ar && ent[71:40] <= cyc + 1) begin
                    arvalid <= 1'b1; araddr <= ent[39:8]; arlen <= ent[7:0];
                end else begin
                    arvalid <= 1'b0;
                end
            end
            if (!awvalid || awready) begin
                ent = aw_tab[aw_i % TAB_DEPTH];
                if (aw_i < n_aw && ent[71:40] <= cyc + 1) begin
                    awvalid <= 1'b1; awaddr <= ent[39:8]; awlen <= ent[7:0];
                end else begin
                    awvalid <= 1'b0;
                end
            end
            if (!wvalid || wready) begin
                if (w_owed > 0) begin
                    ent = aw_tab[w_b % TAB_DEPTH];
                    wvalid <= 1'b1;
                    {wstrb, wdata} <= w_tab[w_j % WTAB_DEPTH];
                    wlast <= (w_in == ent[7:0]);
                end else begin
                    wvalid <= 1'b0;
                end
            end
        end
    end
endmodule
`default_nettype wire
