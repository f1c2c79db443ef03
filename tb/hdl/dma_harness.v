`default_nettype none
// Simulation toplevel for tb/test_dma.py: dma_reader and dma_writer on one AXI4 memory model
// (reader on the read channels, writer on the write channels), an AXI4 protocol checker on that
// bus, and stream plumbing so no Python runs per beat or per command (docs/axi.md):
//
//   mode 1 (copy):    reader stream -> writer input (strobe all ones), through a random-stall link
//   mode 0 (capture): reader stream -> capture memory (random out_ready);
//                     source memory {strobe, data} -> writer input (random in_valid)
//
// Commands come from the *_cmd_* ports, or from the command tables: while rd_tab_i < rd_tab_n
// the reader gets table entry rd_tab_i ({len, addr}, 64 bits) and the port is ignored (the
// same for the writer), so a list of commands runs back to back at one per cycle.
//
// Files (simulator working directory), on pulses:
//   load_req     mem_load.hex -> memory model (see axi_mem_model.v), src_load.hex -> src_mem
//                ({strb, data} per line), rd_cmds.hex -> rd_tab, wr_cmds.hex -> wr_tab
//   dump_req     memory model -> mem_dump.hex (cfg_dump_lo/hi range)
//   cap_dump_req cap_mem[0 .. cap_count-1] -> cap_dump.hex, one line per captured beat:
//                {err, last, data} in hex
// stream_reset clears the counters and stamps, and restarts the source and both tables at
// entry 0. `cycle` counts clocks since stream_reset; rd/wr_first_cmd stamp the first command
// handshake, rd_last_at the latest out_last beat, wr_done_at the latest done pulse.
// The stall percentages are LFSR-driven (seed cfg_seed, taken at reset).
module dma_harness #(
    parameter integer BUS_W          = 64,       // AXI data width
    parameter integer MAX_BURST      = 256,      // DMA bursts, beats
    parameter integer RD_OUTSTANDING = 32,       // reader bursts in flight
    parameter integer WR_OUTSTANDING = 4,        // writer bursts awaiting B
    parameter integer FIFO_DEPTH     = 512,      // DMA FIFOs, beats
    parameter integer MEM_BYTES      = 1 << 18,  // memory model size
    parameter integer CAP_DEPTH      = 8192,     // capture / source memories, beats
    parameter integer TAB_DEPTH      = 4096,     // command tables, entries
    parameter integer QUEUE_DEPTH    = 64,       // memory model request queues
    // memory model: 0 = axi_mem_model, 1 = dram_model with the DRAM_* timing (chip cycles
    // from models/cycle/dram_timing.py via tb/env/mem_model.py; docs/dram_model.md)
    parameter integer MEM_DRAM = 0,
    parameter integer DRAM_T_CL = 0, DRAM_T_CWL = 0, DRAM_T_RCD = 0, DRAM_T_RP = 0,
    parameter integer DRAM_T_RAS = 0, DRAM_T_RTP = 0, DRAM_T_WTR = 0, DRAM_T_WR = 0,
    parameter integer DRAM_T_CCD = 0, DRAM_T_RTW = 0, DRAM_T_BURST = 0, DRAM_T_CTRL = -1,
    parameter integer DRAM_T_RFC = 0, DRAM_T_REFI = 0, DRAM_BANKS = 0, DRAM_ROW_BYTES = 0,
    parameter integer DRAM_ATOM_BYTES = 0, DRAM_QUEUE_DEPTH = 0
) (
    input  wire               clk,
    input  wire               rst,
    input  wire               mode,            // 1 copy, 0 capture
    // reader command
    input  wire               rd_cmd_valid,
    output wire               rd_cmd_ready,
    input  wire [31:0]        rd_cmd_addr,
    input  wire [31:0]        rd_cmd_len,
    // writer command
    input  wire               wr_cmd_valid,
    output wire               wr_cmd_ready,
    input  wire [31:0]        wr_cmd_addr,
    input  wire [31:0]        wr_cmd_len,
    // command tables
    input  wire [31:0]        rd_tab_n,
    input  wire [31:0]        wr_tab_n,
    // aborts
    input  wire               rd_abort,
    input  wire               wr_abort,
    // stream knobs
    input  wire [7:0]         link_stall_pct,  // % of cycles the stream between blocks stalls
    input  wire [31:0]        src_beats,       // beats the source offers in capture mode
    // memory model knobs
    input  wire [15:0]        cfg_rd_latency,
    input  wire [15:0]        cfg_wr_latency,
    input  wire [7:0]         cfg_stall_pct,
    input  wire [15:0]        cfg_beat_gap,
    input  wire [31:0]        cfg_seed,
    input  wire [31:0]        cfg_err_lo,
    input  wire [31:0]        cfg_err_hi,
    input  wire [31:0]        cfg_dump_lo,
    input  wire [31:0]        cfg_dump_hi,
    // bulk
    input  wire               load_req,
    input  wire               dump_req,
    input  wire               cap_dump_req,
    input  wire               stream_reset,
    // status
    output wire               rd_busy,
    output wire               rd_err_cmd,
    output wire               rd_err_bus,
    output wire               wr_busy,
    output wire               wr_err_cmd,
    output wire               wr_err_bus,
    output reg  [31:0]        rd_tab_i,        // table commands the reader has taken
    output reg  [31:0]        wr_tab_i,        // table commands the writer has taken
    output reg  [31:0]        rd_cmds,         // reader command handshakes (port or table)
    output reg  [31:0]        wr_cmds,         // writer command handshakes (port or table)
    output reg  [31:0]        wr_done_count,   // dma_writer done pulses
    output reg  [31:0]        cap_count,       // beats captured (mode 0) or copied (mode 1)
    output reg  [31:0]        src_count,       // beats sent by the source (mode 0)
    output reg  [31:0]        last_count,      // out_last beats seen on the reader stream
    output reg  [31:0]        err_beats,       // out_err beats seen on the reader stream
    output reg  [31:0]        stall_cycles,    // cycles the reader stream was valid but held
    output reg  [31:0]        rready_low,      // cycles RVALID was held by RREADY low
    output reg  [31:0]        rd_max_out,      // most read bursts in flight at once
    output reg  [31:0]        wr_max_out,      // most write bursts in flight at once
    output reg  [31:0]        cycle,           // clocks since stream_reset
    output reg  [31:0]        rd_first_cmd,    // cycle of the first reader command
    output reg  [31:0]        rd_last_at,      // cycle of the latest out_last beat
    output reg  [31:0]        wr_first_cmd,    // cycle of the first writer command
    output reg  [31:0]        wr_done_at,      // cycle of the latest writer done pulse
    output wire               violation,
    output wire [31:0]        violations,
    output wire [31:0]        rd_outstanding,
    output wire [31:0]        wr_outstanding,
    output wire [31:0]        rd_bursts,
    output wire [31:0]        wr_bursts,
    output wire [31:0]        mem_rd_beats,
    output wire [31:0]        mem_wr_beats
);
    localparam integer BYTES = BUS_W / 8;

    // ---------------- AXI bus ----------------
    wire [31:0]      araddr, awaddr;
    wire [7:0]       arlen, awlen;
    wire [2:0]       arsize, awsize;
    wire [1:0]       arburst, awburst, rresp, bresp;
    wire             arvalid, arready, rvalid, rready, rlast;
    wire             awvalid, awready, wvalid, wready, wlast, bvalid, bready;
    wire [BUS_W-1:0] rdata, wdata;
    wire [BYTES-1:0] wstrb;

    // ---------------- streams and commands ----------------
    wire             rs_valid, rs_last, rs_err;
    reg              rs_ready;
    wire [BUS_W-1:0] rs_data;
    reg              ws_valid;
    wire             ws_ready;
    reg  [BUS_W-1:0] ws_data;
    reg  [BYTES-1:0] ws_strb;
    wire             wr_done;

    reg  [63:0]      rd_tab [0:TAB_DEPTH-1];   // {len, addr}
    reg  [63:0]      wr_tab [0:TAB_DEPTH-1];
    localparam integer TW = $clog2(TAB_DEPTH);
    // no table command, source beat or captured beat in the stream_reset cycle (it zeroes the
    // indices and counters, so a handshake then would be lost or repeated)
    wire             rd_from_tab = !stream_reset && (rd_tab_i < rd_tab_n);
    wire             wr_from_tab = !stream_reset && (wr_tab_i < wr_tab_n);
    wire [63:0]      rd_ent = rd_tab[rd_tab_i[TW-1:0]];
    wire [63:0]      wr_ent = wr_tab[wr_tab_i[TW-1:0]];
    wire             rd_v   = rd_from_tab || rd_cmd_valid;
    wire [31:0]      rd_a   = rd_from_tab ? rd_ent[31:0] : rd_cmd_addr;
    wire [31:0]      rd_l   = rd_from_tab ? rd_ent[63:32] : rd_cmd_len;
    wire             wr_v   = wr_from_tab || wr_cmd_valid;
    wire [31:0]      wr_a   = wr_from_tab ? wr_ent[31:0] : wr_cmd_addr;
    wire [31:0]      wr_l   = wr_from_tab ? wr_ent[63:32] : wr_cmd_len;

    dma_reader #(.BUS_W(BUS_W), .MAX_BURST(MAX_BURST), .MAX_OUTSTANDING(RD_OUTSTANDING),
                 .FIFO_DEPTH(FIFO_DEPTH)) u_rd (
        .clk(clk), .rst(rst),
        .cmd_valid(rd_v), .cmd_ready(rd_cmd_ready), .cmd_addr(rd_a), .cmd_len(rd_l),
        .out_valid(rs_valid), .out_ready(rs_ready), .out_data(rs_data), .out_last(rs_last),
        .out_err(rs_err),
        .m_axi_araddr(araddr), .m_axi_arlen(arlen), .m_axi_arsize(arsize),
        .m_axi_arburst(arburst), .m_axi_arvalid(arvalid), .m_axi_arready(arready),
        .m_axi_rdata(rdata), .m_axi_rresp(rresp), .m_axi_rlast(rlast), .m_axi_rvalid(rvalid),
        .m_axi_rready(rready),
        .abort_req(rd_abort), .busy(rd_busy), .err_cmd(rd_err_cmd), .err_bus(rd_err_bus));

    dma_writer #(.BUS_W(BUS_W), .MAX_BURST(MAX_BURST), .MAX_OUTSTANDING(WR_OUTSTANDING),
                 .FIFO_DEPTH(FIFO_DEPTH)) u_wr (
        .clk(clk), .rst(rst),
        .cmd_valid(wr_v), .cmd_ready(wr_cmd_ready), .cmd_addr(wr_a), .cmd_len(wr_l),
        .in_valid(ws_valid), .in_ready(ws_ready), .in_data(ws_data), .in_strb(ws_strb),
        .m_axi_awaddr(awaddr), .m_axi_awlen(awlen), .m_axi_awsize(awsize),
        .m_axi_awburst(awburst), .m_axi_awvalid(awvalid), .m_axi_awready(awready),
        .m_axi_wdata(wdata), .m_axi_wstrb(wstrb), .m_axi_wlast(wlast), .m_axi_wvalid(wvalid),
        .m_axi_wready(wready), .m_axi_bresp(bresp), .m_axi_bvalid(bvalid), .m_axi_bready(bready),
        .abort_req(wr_abort), .busy(wr_busy), .done(wr_done), .err_cmd(wr_err_cmd),
        .err_bus(wr_err_bus));

    generate if (MEM_DRAM == 0) begin : g_ideal
    axi_mem_model #(.BUS_W(BUS_W), .MEM_BYTES(MEM_BYTES), .QUEUE_DEPTH(QUEUE_DEPTH)) u_mem (
        .clk(clk), .rst(rst),
        .s_axi_awaddr(awaddr), .s_axi_awlen(awlen), .s_axi_awsize(awsize),
        .s_axi_awburst(awburst), .s_axi_awvalid(awvalid), .s_axi_awready(awready),
        .s_axi_wdata(wdata), .s_axi_wstrb(wstrb), .s_axi_wlast(wlast), .s_axi_wvalid(wvalid),
        .s_axi_wready(wready), .s_axi_bresp(bresp), .s_axi_bvalid(bvalid), .s_axi_bready(bready),
        .s_axi_araddr(araddr), .s_axi_arlen(arlen), .s_axi_arsize(arsize),
        .s_axi_arburst(arburst), .s_axi_arvalid(arvalid), .s_axi_arready(arready),
        .s_axi_rdata(rdata), .s_axi_rresp(rresp), .s_axi_rlast(rlast), .s_axi_rvalid(rvalid),
        .s_axi_rready(rready),
        .cfg_rd_latency(cfg_rd_latency), .cfg_wr_latency(cfg_wr_latency),
        .cfg_stall_pct(cfg_stall_pct), .cfg_beat_gap(cfg_beat_gap), .cfg_seed(cfg_seed),
        .cfg_err_lo(cfg_err_lo), .cfg_err_hi(cfg_err_hi),
        .load_req(load_req), .dump_req(dump_req), .cfg_dump_lo(cfg_dump_lo),
        .cfg_dump_hi(cfg_dump_hi), .rd_beats(mem_rd_beats), .wr_beats(mem_wr_beats), .r_holds(), .b_holds());
    end else begin : g_dram
    dram_model #(
        .BUS_W(BUS_W), .MEM_BYTES(MEM_BYTES),
        .T_CL(DRAM_T_CL), .T_CWL(DRAM_T_CWL), .T_RCD(DRAM_T_RCD), .T_RP(DRAM_T_RP),
        .T_RAS(DRAM_T_RAS), .T_RTP(DRAM_T_RTP), .T_WTR(DRAM_T_WTR), .T_WR(DRAM_T_WR),
        .T_CCD(DRAM_T_CCD), .T_RTW(DRAM_T_RTW), .T_BURST(DRAM_T_BURST), .T_CTRL(DRAM_T_CTRL),
        .T_RFC(DRAM_T_RFC), .T_REFI(DRAM_T_REFI), .BANKS(DRAM_BANKS), .ROW_BYTES(DRAM_ROW_BYTES),
        .ATOM_BYTES(DRAM_ATOM_BYTES), .QUEUE_DEPTH(DRAM_QUEUE_DEPTH)
    ) u_mem (
        .clk(clk), .rst(rst),
        .s_axi_awaddr(awaddr), .s_axi_awlen(awlen), .s_axi_awsize(awsize),
        .s_axi_awburst(awburst), .s_axi_awvalid(awvalid), .s_axi_awready(awready),
        .s_axi_wdata(wdata), .s_axi_wstrb(wstrb), .s_axi_wlast(wlast), .s_axi_wvalid(wvalid),
        .s_axi_wready(wready), .s_axi_bresp(bresp), .s_axi_bvalid(bvalid), .s_axi_bready(bready),
        .s_axi_araddr(araddr), .s_axi_arlen(arlen), .s_axi_arsize(arsize),
        .s_axi_arburst(arburst), .s_axi_arvalid(arvalid), .s_axi_arready(arready),
        .s_axi_rdata(rdata), .s_axi_rresp(rresp), .s_axi_rlast(rlast), .s_axi_rvalid(rvalid),
        .s_axi_rready(rready),
        .cfg_rd_latency(cfg_rd_latency), .cfg_wr_latency(cfg_wr_latency),
        .cfg_stall_pct(cfg_stall_pct), .cfg_beat_gap(cfg_beat_gap), .cfg_seed(cfg_seed),
        .cfg_err_lo(cfg_err_lo), .cfg_err_hi(cfg_err_hi),
        .load_req(load_req), .dump_req(dump_req), .cfg_dump_lo(cfg_dump_lo),
        .cfg_dump_hi(cfg_dump_hi), .rd_beats(mem_rd_beats), .wr_beats(mem_wr_beats));
    end endgenerate

    axi_protocol_checker #(.LITE(0), .DATA_W(BUS_W), .ADDR_W(32)) u_chk (
        .clk(clk), .rst(rst),
        .awaddr(awaddr), .awlen(awlen), .awsize(awsize), .awburst(awburst),
        .awvalid(awvalid), .awready(awready),
        .wdata(wdata), .wstrb(wstrb), .wlast(wlast), .wvalid(wvalid), .wready(wready),
        .bresp(bresp), .bvalid(bvalid), .bready(bready),
        .araddr(araddr), .arlen(arlen), .arsize(arsize), .arburst(arburst),
        .arvalid(arvalid), .arready(arready),
        .rdata(rdata), .rresp(rresp), .rlast(rlast), .rvalid(rvalid), .rready(rready),
        .violation(violation), .violations(violations), .rd_outstanding(rd_outstanding),
        .wr_outstanding(wr_outstanding), .rd_bursts(rd_bursts), .wr_bursts(wr_bursts));

    // ---------------- stream plumbing ----------------
    localparam integer CW = $clog2(CAP_DEPTH);
    reg [BUS_W+1:0]       cap_mem [0:CAP_DEPTH-1];
    reg [BYTES+BUS_W-1:0] src_mem [0:CAP_DEPTH-1];   // {strb, data}
    wire [BYTES+BUS_W-1:0] src_word = src_mem[src_count[CW-1:0]];
    reg [31:0]            lfsr;
    reg                   stall_rd, stall_wr;        // link stalls: reader side, writer side
    integer               k;

    function [31:0] xorshift(input [31:0] x);
        reg [31:0] y;
        begin
            y = x ^ (x << 13);
            y = y ^ (y >> 17);
            xorshift = y ^ (y << 5);
        end
    endfunction

    initial for (k = 0; k < CAP_DEPTH; k = k + 1) src_mem[k] = {(BYTES + BUS_W){1'b0}};

    // link stall decisions for this cycle (registered, from the LFSR)
    always @(posedge clk) begin
        if (rst) begin
            lfsr     <= (cfg_seed == 32'd0) ? 32'h2545_F491 : cfg_seed ^ 32'h2545_F491;
            stall_rd <= 1'b0;
            stall_wr <= 1'b0;
        end else begin
            lfsr     <= xorshift(lfsr);
            stall_rd <= ((({16'd0, lfsr[31:16]}) * 100) >> 16) < {24'd0, link_stall_pct};
            stall_wr <= ((({16'd0, lfsr[15:0]}) * 100) >> 16) < {24'd0, link_stall_pct};
        end
    end

    always @* begin
        if (mode) begin
            rs_ready = ws_ready && !stall_rd;
            ws_valid = rs_valid && !stall_rd;
            ws_data  = rs_data;
            ws_strb  = {BYTES{1'b1}};
        end else begin
            rs_ready = !stall_rd && !stream_reset;
            ws_valid = (src_count < src_beats) && !stall_wr && !stream_reset;
            ws_data  = src_word[BUS_W-1:0];
            ws_strb  = src_word[BUS_W +: BYTES];
        end
    end

    always @(posedge clk) begin
        if (load_req) begin
            $readmemh("src_load.hex", src_mem);
            $readmemh("rd_cmds.hex", rd_tab);
            $readmemh("wr_cmds.hex", wr_tab);
        end
        if (cap_dump_req && cap_count != 0) $writememh("cap_dump.hex", cap_mem, 0, cap_count - 1);
        if (rst || stream_reset) begin
            cap_count <= 32'd0; src_count <= 32'd0; last_count <= 32'd0; stall_cycles <= 32'd0;
            err_beats <= 32'd0; wr_done_count <= 32'd0; rready_low <= 32'd0;
            rd_max_out <= 32'd0; wr_max_out <= 32'd0;
            rd_tab_i <= 32'd0; wr_tab_i <= 32'd0; rd_cmds <= 32'd0; wr_cmds <= 32'd0;
            cycle <= 32'd0; rd_first_cmd <= 32'd0; rd_last_at <= 32'd0;
            wr_first_cmd <= 32'd0; wr_done_at <= 32'd0;
        end else begin
            cycle <= cycle + 32'd1;
            if (rd_v && rd_cmd_ready) begin
                if (rd_from_tab) rd_tab_i <= rd_tab_i + 32'd1;
                if (rd_cmds == 32'd0) rd_first_cmd <= cycle;
                rd_cmds <= rd_cmds + 32'd1;
            end
            if (wr_v && wr_cmd_ready) begin
                if (wr_from_tab) wr_tab_i <= wr_tab_i + 32'd1;
                if (wr_cmds == 32'd0) wr_first_cmd <= cycle;
                wr_cmds <= wr_cmds + 32'd1;
            end
            if (rs_valid && rs_ready) begin
                if (!mode && cap_count < CAP_DEPTH) cap_mem[cap_count[CW-1:0]] <= {rs_err, rs_last, rs_data};
                cap_count <= cap_count + 32'd1;
                if (rs_last) begin
                    last_count <= last_count + 32'd1;
                    rd_last_at <= cycle;
                end
                if (rs_err) err_beats <= err_beats + 32'd1;
            end
            if (rs_valid && !rs_ready) stall_cycles <= stall_cycles + 32'd1;
            if (!mode && ws_valid && ws_ready) src_count <= src_count + 32'd1;
            if (wr_done) begin
                wr_done_count <= wr_done_count + 32'd1;
                wr_done_at    <= cycle;
            end
            if (rvalid && !rready) rready_low <= rready_low + 32'd1;
            if (rd_outstanding > rd_max_out) rd_max_out <= rd_outstanding;
            if (wr_outstanding > wr_max_out) wr_max_out <= wr_outstanding;
        end
    end
endmodule
`default_nettype wire
