`default_nettype none
// AXI4 write DMA: writes a stream of BUS_W-bit beats to (address, byte length) commands with
// INCR bursts. Rules (docs/axi.md):
//
//   * cmd_addr must be a multiple of BUS_W/8; cmd_len is any number of bytes >= 1 and
//     cmd_addr + cmd_len must not pass 2^32. A command breaking this is accepted and dropped
//     with err_cmd set (it consumes no input beats and makes no bus traffic).
//   * Each command consumes exactly ceil(cmd_len / (BUS_W/8)) input beats, in command order;
//     byte i of its beats goes to cmd_addr + i. The last beat is written with WSTRB covering
//     only the bytes below cmd_len. Input beats may arrive before their command.
//   * in_strb travels through the FIFO with its beat: WSTRB = in_strb & (the length mask of the
//     command's last beat, all ones on other beats). A producer that writes every byte drives
//     all ones; partial strobes on any beat (first, middle, last) write only those bytes.
//   * Bursts are at most MAX_BURST beats and never cross a 4 KB boundary; up to
//     MAX_OUTSTANDING bursts wait for their B response. An AW is issued only once the FIFO
//     holds every beat of that burst, so a started burst streams without waiting for the
//     producer (WVALID stays high for the whole burst unless the FIFO output is being loaded).
//     The next command is accepted in the cycle the current one issues its last AW, so
//     one-beat commands go at one per cycle (bounded by MAX_OUTSTANDING / B latency).
//   * BRESP != OKAY sets err_bus. `done` pulses when the last B response of a command arrives:
//     its bytes are then in memory.
//   * abort_req (a pulse, or held high) drops the current command and stops taking input and
//     issuing AWs (an AW already presented is held until accepted). Every burst whose AW was
//     issued is completed with its data (already in the FIFO: AXI cannot abandon a write burst)
//     and its B response awaited; then the FIFO is emptied and busy falls. abort_req clears
//     err_cmd / err_bus (errors during the drain set err_bus again).
module dma_writer #(
    parameter integer BUS_W           = 64,   // AXI data width in bits: 32, 64, 128, 256, 512
    parameter integer MAX_BURST       = 256,  // beats per AXI burst, 1..256
    parameter integer MAX_OUTSTANDING = 4,    // write bursts awaiting B, a power of two >= 2
    parameter integer FIFO_DEPTH      = 512   // data beats buffered, a power of two >= MAX_BURST
) (
    input  wire               clk,
    input  wire               rst,
    // command: write cmd_len bytes to cmd_addr
    input  wire               cmd_valid,
    output wire               cmd_ready,
    input  wire [31:0]        cmd_addr,
    input  wire [31:0]        cmd_len,
    // input stream
    input  wire               in_valid,
    output wire               in_ready,
    input  wire [BUS_W-1:0]   in_data,
    input  wire [BUS_W/8-1:0] in_strb,   // byte enables of this beat (all ones: every byte)
    // AXI4 write master (single ID 0)
    output reg  [31:0]        m_axi_awaddr,
    output reg  [7:0]         m_axi_awlen,
    output wire [2:0]         m_axi_awsize,
    output wire [1:0]         m_axi_awburst,
    output reg                m_axi_awvalid,
    input  wire               m_axi_awready,
    output wire [BUS_W-1:0]   m_axi_wdata,
    output wire [BUS_W/8-1:0] m_axi_wstrb,
    output wire               m_axi_wlast,
    output wire               m_axi_wvalid,
    input  wire               m_axi_wready,
    input  wire [1:0]         m_axi_bresp,
    input  wire               m_axi_bvalid,
    output wire               m_axi_bready,
    // control and status
    input  wire               abort_req,
    output wire               busy,      // a command or a burst in flight
    output reg                done,      // pulse: a command's last B response arrived
    output reg                err_cmd,   // sticky: a command was refused (alignment, length, range)
    output reg                err_bus    // sticky: BRESP != OKAY seen
);
    localparam integer BYTES      = BUS_W / 8;
    localparam integer SZ         = $clog2(BYTES);
    localparam integer PAGE_BEATS = 4096 / BYTES;
    localparam integer FW         = $clog2(FIFO_DEPTH);
    localparam integer OW         = $clog2(MAX_OUTSTANDING);
    localparam [2:0]   SIZE       = SZ[2:0];

    assign m_axi_awsize  = SIZE;
    assign m_axi_awburst = 2'b01;  // INCR
    assign m_axi_bready  = 1'b1;   // a B slot is reserved for every burst issued

    // ---------------- state ----------------
    reg              active;       // a command is being split into bursts
    reg              aborting;
    reg  [31:0]      cur_addr;
    reg  [31:0]      beats_left;   // beats of the current command not yet given an AW
    reg  [BYTES-1:0] last_strb;    // WSTRB of the command's last beat
    reg  [FW+1:0]    avail;        // FIFO beats not yet given to an issued burst
    // the next burst of the current command, computed when cur_addr / beats_left are loaded
    // (timing closure, docs/fpga.md: the page and length minimum is not on the AW handshake)
    reg  [8:0]       burst;        // beats of the next burst, 1..MAX_BURST
    reg              burst_last;   // that burst ends the command (beats_left == burst)
    reg  [OW:0]      n_out;        // bursts issued whose B has not arrived
    reg  [7:0]       w_beat;       // beat index within the burst on W

    // per-burst side information, issue order; read by the W side and by the B side
    reg  [7:0]       bq_len  [0:MAX_OUTSTANDING-1];   // AWLEN
    reg              bq_last [0:MAX_OUTSTANDING-1];   // burst ends its command
    reg  [BYTES-1:0] bq_strb [0:MAX_OUTSTANDING-1];   // WSTRB of the command's last beat
    reg  [OW-1:0]    q_wr, q_w, q_b;                  // issue, W and B pointers
    reg  [OW:0]      n_w;                             // bursts issued and not finished on W

    // ---------------- data FIFO ----------------
    wire             fifo_in_ready, fifo_out_valid;
    wire [BUS_W+BYTES-1:0] fifo_out;   // {strobe, data}
    /* verilator lint_off UNUSEDSIGNAL */  // the FIFO count is kept as `avail` (see below)
    wire [FW+1:0]    fifo_count;
    /* verilator lint_on UNUSEDSIGNAL */
    wire             w_beat_go = m_axi_wvalid && m_axi_wready;
    wire             fifo_clear = aborting && (n_out == {(OW+1){1'b0}});

    assign in_ready = fifo_in_ready && !aborting && !abort_req;

    axis_fifo #(.WIDTH(BUS_W + BYTES), .DEPTH(FIFO_DEPTH)) u_fifo (
        .clk(clk), .rst(rst), .clear(fifo_clear),
        .in_valid(in_valid && in_ready), .in_ready(fifo_in_ready), .in_data({in_strb, in_data}),
        .out_valid(fifo_out_valid), .out_ready(w_beat_go),
        .out_data(fifo_out), .count(fifo_count));

    // ---------------- burst splitter ----------------
    // the burst starting at an address with `beats` beats of the command left: at most
    // MAX_BURST beats, never past the 4 KB page
    function [9:0] split_of(input [11:0] addr, input [31:0] beats);  // {last, burst}
        reg [31:0] page_left, lim;
        begin
            page_left = PAGE_BEATS - ({20'd0, addr} >> SZ);
            lim       = (page_left < MAX_BURST) ? page_left : MAX_BURST;
            split_of  = (beats <= lim) ? {1'b1, beats[8:0]} : {1'b0, lim[8:0]};
        end
    endfunction
    wire [11:0] next_addr  = cur_addr[11:0] + ({3'd0, burst} << SZ);
    wire [31:0] next_beats = beats_left - {23'd0, burst};
    wire [9:0]  next_split = split_of(next_addr, next_beats);

    wire aw_free = !m_axi_awvalid || m_axi_awready;
    wire issue   = active && !aborting && !abort_req && aw_free &&
                   (n_out != MAX_OUTSTANDING[OW:0]) && ({23'd0, burst} <= {{(30-FW){1'b0}}, avail});
    wire cmd_done_issuing = burst_last;
    /* verilator lint_off UNUSEDSIGNAL */  // an issued burst fits the FIFO: its low bits suffice
    wire [31:0] burst_w = {23'd0, burst};
    /* verilator lint_on UNUSEDSIGNAL */

    // ---------------- commands ----------------
    // the next command is taken in the cycle the current one issues its last AW
    assign cmd_ready = !aborting && !abort_req && (!active || (issue && cmd_done_issuing));
    wire        cmd_take  = cmd_valid && cmd_ready;
    wire [32:0] cmd_end   = {1'b0, cmd_addr} + {1'b0, cmd_len};
    wire        cmd_bad   = (cmd_addr[SZ-1:0] != {SZ{1'b0}}) || (cmd_len == 32'd0) ||
                            (cmd_end > 33'h1_0000_0000);
    wire [31:0] cmd_beats = (cmd_len >> SZ) + {31'd0, cmd_len[SZ-1:0] != {SZ{1'b0}}};
    wire [9:0]  cmd_split = split_of(cmd_addr[11:0], cmd_beats);

    function [BYTES-1:0] strb_of(input [SZ-1:0] rem);  // WSTRB of a last beat, rem = len % BYTES
        integer i;
        begin
            for (i = 0; i < BYTES; i = i + 1) strb_of[i] = (rem == {SZ{1'b0}}) || (i < rem);
        end
    endfunction

    // ---------------- W channel ----------------
    wire w_head_last = (w_beat == bq_len[q_w]);
    assign m_axi_wvalid = fifo_out_valid && (n_w != {(OW+1){1'b0}});
    assign m_axi_wdata  = fifo_out[BUS_W-1:0];
    assign m_axi_wlast  = w_head_last;
    assign m_axi_wstrb  = fifo_out[BUS_W +: BYTES] &
                          ((w_head_last && bq_last[q_w]) ? bq_strb[q_w] : {BYTES{1'b1}});
    wire   w_end        = w_beat_go && w_head_last;

    // ---------------- B channel ----------------
    wire b_go = m_axi_bvalid && m_axi_bready;

    assign busy = active || aborting || (n_out != {(OW+1){1'b0}});

    always @(posedge clk) begin
        if (rst) begin
            active <= 1'b0; aborting <= 1'b0;
            cur_addr <= 32'd0; beats_left <= 32'd0; last_strb <= {BYTES{1'b1}};
            avail <= {(FW+2){1'b0}}; burst <= 9'd1; burst_last <= 1'b0; n_out <= {(OW+1){1'b0}}; n_w <= {(OW+1){1'b0}};
            q_wr <= {OW{1'b0}}; q_w <= {OW{1'b0}}; q_b <= {OW{1'b0}}; w_beat <= 8'd0;
            m_axi_awvalid <= 1'b0; m_axi_awaddr <= 32'd0; m_axi_awlen <= 8'd0;
            done <= 1'b0; err_cmd <= 1'b0; err_bus <= 1'b0;
        end else begin
            // address channel
            if (issue) begin
                m_axi_awvalid <= 1'b1;
                m_axi_awaddr  <= cur_addr;
                m_axi_awlen   <= burst[7:0] - 8'd1;
                cur_addr      <= cur_addr + ({23'd0, burst} << SZ);
                beats_left    <= next_beats;
                burst         <= next_split[8:0];
                burst_last    <= next_split[9];
                bq_len[q_wr]  <= burst[7:0] - 8'd1;
                bq_last[q_wr] <= cmd_done_issuing;
                bq_strb[q_wr] <= last_strb;
                q_wr          <= q_wr + 1'b1;
                if (cmd_done_issuing) active <= 1'b0;
            end else if (m_axi_awready) begin
                m_axi_awvalid <= 1'b0;
            end
            // commands (after the AW block: a new command replaces the one finishing)
            if (cmd_take) begin
                if (cmd_bad) begin
                    err_cmd <= 1'b1;
                end else begin
                    active     <= 1'b1;
                    cur_addr   <= cmd_addr;
                    beats_left <= cmd_beats;
                    burst      <= cmd_split[8:0];
                    burst_last <= cmd_split[9];
                    last_strb  <= strb_of(cmd_len[SZ-1:0]);
                end
            end
            // FIFO count minus the beats of issued bursts not yet sent: a W beat leaves both
            avail <= avail + {{(FW+1){1'b0}}, in_valid && in_ready}
                           - (issue ? burst_w[FW+1:0] : {(FW+2){1'b0}});
            // data channel
            if (w_beat_go) w_beat <= w_head_last ? 8'd0 : w_beat + 8'd1;
            if (w_end) q_w <= q_w + 1'b1;
            n_w <= n_w + {{OW{1'b0}}, issue} - {{OW{1'b0}}, w_end};
            // responses
            done <= 1'b0;
            if (b_go) begin
                q_b <= q_b + 1'b1;
                if (m_axi_bresp != 2'b00) err_bus <= 1'b1;
                if (bq_last[q_b]) done <= 1'b1;
            end
            n_out <= n_out + {{OW{1'b0}}, issue} - {{OW{1'b0}}, b_go};
            // abort: drop the command, finish the bursts already issued, then empty the FIFO
            if (abort_req) begin
                aborting <= 1'b1;
                active   <= 1'b0;
                err_cmd  <= 1'b0;
                err_bus  <= 1'b0;
            end else if (fifo_clear) begin
                aborting <= 1'b0;
            end
            if (fifo_clear) avail <= {(FW+2){1'b0}};   // the FIFO is emptied: nothing is left
        end
    end
endmodule
`default_nettype wire
