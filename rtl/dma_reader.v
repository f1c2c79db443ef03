`default_nettype none
// AXI4 read master: turns (address, byte length) commands into INCR bursts and delivers the data
// as a stream of BUS_W beats, with `out_last` on the last beat of every command.
//
// * Alignment: cmd_addr must be a multiple of BUS_W/8 bytes; cmd_len is any number of bytes
//   >= 1 (the command reads ceil(len / (BUS_W/8)) whole beats; the bytes of the last beat past
//   the length are whatever memory holds) and cmd_addr + cmd_len must not pass 2^32 (as for
//   dma_writer). A command breaking this is accepted and dropped: `err_cmd` is set and nothing
//   is read or streamed for it.
// * Bursts: at most MAX_BURST beats, never across a 4 KB boundary; ARSIZE = bus width, INCR,
//   one ID (so data returns in order).
// * Outstanding reads: up to MAX_OUTSTANDING bursts in flight. One command is accepted and one
//   AR issued per cycle, so a stream of 1-beat commands hides the memory latency when
//   MAX_OUTSTANDING > latency (+3 cycles of AR/R handshake overhead).
// * Timing: the length of the next burst (4 KB page, MAX_BURST) is computed into a register
//   when a command is taken and after each burst, and ARs leave through a 2-entry queue, so
//   neither cmd_ready nor anything upstream depends on m_axi_arready combinationally; with
//   ARREADY high the AR still goes out the cycle after its issue, one per cycle.
// * No data loss under back-pressure: an AR is issued only when the data FIFO has room reserved
//   for its whole burst (credits = FIFO_DEPTH - entries - beats in flight), so RREADY is always 1
//   and the memory is never stalled by a slow consumer.
// * Errors: an R beat with RRESP != OKAY is still delivered (so every command keeps its exact
//   beat count and its `out_last`), flagged with `out_err`, and sticky `err_bus` is set.
// * abort_req (soft reset, one-cycle pulse or level; clears err_cmd / err_bus): stop accepting
//   and issuing, drop the queued data and the rest of the current command, keep RREADY high
//   until every burst already issued has returned its last beat (their data is discarded),
//   then drop `busy`. An AR that is valid but not yet accepted stays valid until accepted, as
//   AXI requires, and is drained too.
module dma_reader #(
    parameter integer BUS_W           = 64,   // AXI data width in bits (64 and 128 tested)
    parameter integer MAX_OUTSTANDING = 32,   // read bursts in flight (power of two)
    parameter integer MAX_BURST       = 256,  // longest burst in beats (power of two, <= 256)
    parameter integer FIFO_DEPTH      = 512   // data FIFO in beats (power of two, >= MAX_BURST)
) (
    input  wire             clk,
    input  wire             rst,
    // command: one read of cmd_len bytes from cmd_addr, accepted on cmd_valid && cmd_ready
    input  wire             cmd_valid,
    output wire             cmd_ready,
    input  wire [31:0]      cmd_addr,
    input  wire [31:0]      cmd_len,
    // data stream, in command order; a beat moves on out_valid && out_ready
    output wire             out_valid,
    input  wire             out_ready,
    output wire [BUS_W-1:0] out_data,
    output wire             out_last,   // last beat of a command
    output wire             out_err,    // this beat came with RRESP != OKAY
    // control and status
    input  wire             abort_req,  // drop everything, drain the bursts in flight
    output wire             busy,       // a command, a burst or an abort is in progress (beats
                                        // waiting in the data FIFO do not count: see out_valid)
    output reg              err_cmd,    // sticky: a command was refused (misaligned / len 0)
    output reg              err_bus,    // sticky: an R beat came with RRESP != OKAY
    // AXI4 read address channel
    output wire [31:0]      m_axi_araddr,
    output wire [7:0]       m_axi_arlen,
    output wire [2:0]       m_axi_arsize,
    output wire [1:0]       m_axi_arburst,
    output wire             m_axi_arvalid,
    input  wire             m_axi_arready,
    // AXI4 read data channel
    input  wire [BUS_W-1:0] m_axi_rdata,
    input  wire [1:0]       m_axi_rresp,
    input  wire             m_axi_rlast,
    input  wire             m_axi_rvalid,
    output wire             m_axi_rready
);
    localparam integer BYTES = BUS_W / 8;           // bytes per beat
    localparam integer SB    = $clog2(BYTES);       // byte-offset bits of an address
    localparam integer BW    = 33 - SB;             // bits of a beat count
    localparam integer FA    = $clog2(FIFO_DEPTH);  // data FIFO count is FA+1 bits
    localparam integer CW    = 16;                  // width of the credit arithmetic
    localparam [CW-1:0] DEPTH_C = FIFO_DEPTH[CW-1:0];
    localparam [12:0]   MAXB    = MAX_BURST[12:0];
    localparam [32:0]   BM1     = BYTES - 1;

    assign m_axi_arsize  = SB[2:0];
    assign m_axi_arburst = 2'b01;  // INCR
    assign m_axi_rready  = 1'b1;   // room for every beat in flight is reserved at AR time

    // ---------------- current command, split into bursts ----------------
    reg              cur_valid;
    reg  [31:0]      cur_addr;
    reg  [BW-1:0]    cur_beats;   // beats left to request
    reg              draining;
    wire             abort = abort_req;
    reg  [CW-1:0]    reserved;    // beats requested and not yet in the FIFO

    reg  [12:0]      cur_burst;   // beats of the next burst of the command (1..MAX_BURST)
    reg              cur_last;    // ... and it is the command's last burst

    // first burst of (addr, beats): up to the 4 KB page end and MAX_BURST; does it end there?
    function [13:0] burst_of(input [11:0] addr, input [BW-1:0] beats);
        reg [12:0] to_4k, lim;
        begin
            to_4k = (13'h1000 - {1'b0, addr}) >> SB;       // >= 1 (address is aligned)
            lim   = (to_4k < MAXB) ? to_4k : MAXB;
            burst_of = (beats <= {{(BW-13){1'b0}}, lim}) ? {1'b1, beats[12:0]} : {1'b0, lim};
        end
    endfunction

    wire          info_in_ready;
    wire          info_out_valid;
    wire          info_final;
    wire [FA:0]   fifo_count;
    wire [CW-1:0] used   = {{(CW-FA-1){1'b0}}, fifo_count} + reserved;
    wire          credit = (DEPTH_C - used) >= {3'b000, cur_burst};
    wire          arq_in_ready;   // room in the AR queue (a register: no ARREADY path)

    wire issue = cur_valid && !draining && !abort && info_in_ready && credit && arq_in_ready;
    wire last_burst = cur_last;  // this burst ends the command
    wire [31:0]   next_addr  = cur_addr + ({19'd0, cur_burst} << SB);
    wire [BW-1:0] next_beats = cur_beats - {{(BW-13){1'b0}}, cur_burst};

    assign cmd_ready = !rst && !draining && !abort && (!cur_valid || (issue && last_burst));
    wire cmd_fire = cmd_valid && cmd_ready;
    wire [32:0] cmd_end = {1'b0, cmd_addr} + {1'b0, cmd_len};
    wire cmd_bad  = (cmd_addr[SB-1:0] != {SB{1'b0}}) || (cmd_len == 32'd0) ||
                    (cmd_end > 33'h1_0000_0000);
    // beats = ceil(len / BYTES); the low SB bits of the sum are the last beat's byte count - 1
    /* verilator lint_off UNUSEDSIGNAL */
    wire [32:0] len_up = {1'b0, cmd_len} + BM1;
    /* verilator lint_on UNUSEDSIGNAL */

    // ---------------- read data ----------------
    wire r_fire = m_axi_rvalid;   // RREADY is always 1
    wire push   = r_fire && !draining;
    wire r_err  = (m_axi_rresp != 2'b00);

    always @(posedge clk) begin
        if (rst) begin
            cur_valid      <= 1'b0;
            cur_addr       <= 32'd0;
            cur_beats      <= {BW{1'b0}};
            cur_burst      <= 13'd1;
            cur_last       <= 1'b0;
            reserved       <= {CW{1'b0}};
            draining       <= 1'b0;
            err_cmd        <= 1'b0;
            err_bus        <= 1'b0;
        end else begin
            if (push && r_err) err_bus <= 1'b1;
            // AR channel
            if (issue) begin
                cur_addr  <= next_addr;
                cur_beats <= next_beats;
                {cur_last, cur_burst} <= burst_of(next_addr[11:0], next_beats);
                if (last_burst) cur_valid <= 1'b0;
            end
            // credits: + a burst at issue, - a beat as it lands in the FIFO
            if (abort || draining)
                reserved <= {CW{1'b0}};
            else
                reserved <= reserved + (issue ? {3'b000, cur_burst} : {CW{1'b0}})
                                     - {{(CW-1){1'b0}}, push};
            // commands (after the issue block: a new command replaces a finished one)
            if (cmd_fire) begin
                if (cmd_bad) begin
                    err_cmd <= 1'b1;
                end else begin
                    cur_valid <= 1'b1;
                    cur_addr  <= cmd_addr;
                    cur_beats <= len_up[32:SB];
                    {cur_last, cur_burst} <= burst_of(cmd_addr[11:0], len_up[32:SB]);
                end
            end
            // abort: forget the command, drain what is in flight
            if (abort) begin
                cur_valid <= 1'b0;
                draining  <= 1'b1;
                err_cmd   <= 1'b0;
                err_bus   <= 1'b0;
            end else if (draining && !info_out_valid && !m_axi_arvalid) begin
                draining  <= 1'b0;
            end
        end
    end

    // AR queue (2 entries): the AXI address channel is its head; an issue needs a free entry
    wire [39:0] arq_out;
    /* verilator lint_off PINCONNECTEMPTY */  // the entry count is not needed
    sync_fifo #(.WIDTH(40), .DEPTH(2)) u_arq (
        .clk(clk), .rst(rst),
        .in_valid(issue), .in_ready(arq_in_ready),
        .in_data({cur_addr, cur_burst[7:0] - 8'd1}),
        .out_valid(m_axi_arvalid), .out_ready(m_axi_arready), .out_data(arq_out), .count());
    /* verilator lint_on PINCONNECTEMPTY */
    assign m_axi_araddr = arq_out[39:8];
    assign m_axi_arlen  = arq_out[7:0];

    // one entry per burst in flight: does it end its command? (its count bounds the bursts)
    /* verilator lint_off PINCONNECTEMPTY */  // the entry count is not needed
    sync_fifo #(.WIDTH(1), .DEPTH(MAX_OUTSTANDING)) u_info (
        .clk(clk), .rst(rst),
        .in_valid(issue), .in_ready(info_in_ready), .in_data(last_burst),
        .out_valid(info_out_valid), .out_ready(r_fire && m_axi_rlast), .out_data(info_final),
        .count());
    /* verilator lint_on PINCONNECTEMPTY */

    // data FIFO {err, last, data}; emptied by an abort
    wire [BUS_W+1:0] fifo_out;
    wire             fifo_valid;
    /* verilator lint_off PINCONNECTEMPTY */  // in_ready: room is guaranteed by the credits
    sync_fifo #(.WIDTH(BUS_W + 2), .DEPTH(FIFO_DEPTH)) u_data (
        .clk(clk), .rst(rst || abort || draining),
        .in_valid(push), .in_ready(),
        .in_data({r_err, m_axi_rlast && info_final, m_axi_rdata}),
        .out_valid(fifo_valid), .out_ready(out_valid && out_ready), .out_data(fifo_out),
        .count(fifo_count));
    /* verilator lint_on PINCONNECTEMPTY */

    assign out_valid = fifo_valid && !abort && !draining;
    assign out_data  = fifo_out[BUS_W-1:0];
    assign out_last  = fifo_out[BUS_W];
    assign out_err   = fifo_out[BUS_W+1];
    assign busy      = cur_valid || m_axi_arvalid || info_out_valid || draining;
endmodule
`default_nettype wire
