`default_nettype none
// Simulation-only AXI4 slave memory (INCR bursts, one ID, BUS_W-bit data), with knobs for
// latency, random stalls, throughput and error injection, and bulk load/dump through files so
// Python never moves data beat by beat. See docs/axi.md.
//
// Memory: MEM_BYTES bytes at byte addresses [MEM_BASE, MEM_BASE + MEM_BYTES), stored as
// BUS_W-bit words `mem[(addr - MEM_BASE) / BYTES]`, byte lane i = address + i (little-endian).
// Accesses outside that range return DECERR (reads give 0, writes are dropped).
//
// Bulk access (Python writes/reads the files in the simulator's working directory):
//   load_req pulse -> $readmemh(<+MEM_LOAD=file, default LOAD_FILE>, mem): one BUS_W word per
//                     line, `@<word index>` lines to place blocks anywhere; words not in the
//                     file keep their contents.
//   dump_req pulse -> $writememh(<+MEM_DUMP=file, default DUMP_FILE>, mem, lo, hi) with the word
//                     range given by cfg_dump_lo / cfg_dump_hi (byte addresses, hi exclusive;
//                     hi == 0 dumps everything).
//   `mem` is a 1-D array, also reachable from cocotb (dut.<inst>.mem[i]) for a few words.
//
// Knobs are input ports so each test can set its own; a plusarg of the same name overrides
// the port for the whole run: +MEM_RD_LATENCY= +MEM_WR_LATENCY= +MEM_STALL_PCT= +MEM_BEAT_GAP=
// +MEM_SEED=.
//   cfg_rd_latency  cycles from AR accepted to its first R beat (min 1); reads are queued, up
//                   to QUEUE_DEPTH bursts, and served in order, so several can be outstanding
//   cfg_wr_latency  cycles from the WLAST beat to BVALID (min 1)
//   cfg_stall_pct   0..100: each cycle, ARREADY, AWREADY, WREADY are dropped and a new R beat
//                   or B response is held back with this probability (32-bit xorshift LFSR)
//   cfg_beat_gap    idle cycles after every R beat and every W beat (throughput = 1/(1+gap)
//                   beats per cycle per direction)
//   cfg_seed        LFSR seed (0 is replaced by 1), taken at reset
//   cfg_err_lo/hi   byte range [lo, hi) answering SLVERR (reads: that beat, data still
//                   returned; writes: the burst's B response, and its beats from the first one
//                   in the range on are not written); hi <= lo disables
module axi_mem_model #(
    parameter integer BUS_W       = 64,             // data width in bits
    parameter integer MEM_BYTES   = 1 << 20,        // memory size in bytes (multiple of BUS_W/8)
    parameter [31:0]  MEM_BASE    = 32'h0000_0000,  // byte address of mem[0]
    parameter integer QUEUE_DEPTH = 16,             // AR (and AW) requests queued
    parameter         LOAD_FILE   = "mem_load.hex", // default file of load_req
    parameter         DUMP_FILE   = "mem_dump.hex"  // default file of dump_req
) (
    input  wire               clk,
    input  wire               rst,
    // AXI4 slave: write address, data, response
    input  wire [31:0]        s_axi_awaddr,
    input  wire [7:0]         s_axi_awlen,
    input  wire [2:0]         s_axi_awsize,
    input  wire [1:0]         s_axi_awburst,
    input  wire               s_axi_awvalid,
    output reg                s_axi_awready,
    input  wire [BUS_W-1:0]   s_axi_wdata,
    input  wire [BUS_W/8-1:0] s_axi_wstrb,
    input  wire               s_axi_wlast,
    input  wire               s_axi_wvalid,
    output reg                s_axi_wready,
    output reg  [1:0]         s_axi_bresp,
    output reg                s_axi_bvalid,
    input  wire               s_axi_bready,
    // AXI4 slave: read address, data
    input  wire [31:0]        s_axi_araddr,
    input  wire [7:0]         s_axi_arlen,
    input  wire [2:0]         s_axi_arsize,
    input  wire [1:0]         s_axi_arburst,
    input  wire               s_axi_arvalid,
    output reg                s_axi_arready,
    output reg  [BUS_W-1:0]   s_axi_rdata,
    output reg  [1:0]         s_axi_rresp,
    output reg                s_axi_rlast,
    output reg                s_axi_rvalid,
    input  wire               s_axi_rready,
    // knobs
    input  wire [15:0]        cfg_rd_latency,
    input  wire [15:0]        cfg_wr_latency,
    input  wire [7:0]         cfg_stall_pct,
    input  wire [15:0]        cfg_beat_gap,
    input  wire [31:0]        cfg_seed,
    input  wire [31:0]        cfg_err_lo,
    input  wire [31:0]        cfg_err_hi,
    // bulk load / dump
    input  wire               load_req,
    input  wire               dump_req,
    input  wire [31:0]        cfg_dump_lo,
    input  wire [31:0]        cfg_dump_hi,
    // statistics
    output reg  [31:0]        rd_beats,
    output reg  [31:0]        wr_beats,
    // cycles an R beat / B response was due but held back by the stall knob (coverage)
    output reg  [31:0]        r_holds,
    output reg  [31:0]        b_holds
);
    localparam integer BYTES = BUS_W / 8;
    localparam integer WORDS = MEM_BYTES / BYTES;

    reg [BUS_W-1:0] mem [0:WORDS-1];
    // simulation time ($time, in the timescale's unit) of the last write to each word, 0 never:
    // a testbench that finds a wrong result reads it to say when the bad write happened
    reg [63:0] wr_time [0:WORDS-1];

    // ---------------- plusargs ----------------
    reg [8*256-1:0] load_file, dump_file;
    integer pa_rd_lat, pa_wr_lat, pa_stall, pa_gap, pa_seed;
    reg has_rd_lat, has_wr_lat, has_stall, has_gap, has_seed;
    integer i;
    initial begin
        load_file = LOAD_FILE;
        dump_file = DUMP_FILE;
        if ($value$plusargs("MEM_LOAD=%s", load_file)) ;
        if ($value$plusargs("MEM_DUMP=%s", dump_file)) ;
        has_rd_lat = $value$plusargs("MEM_RD_LATENCY=%d", pa_rd_lat);
        has_wr_lat = $value$plusargs("MEM_WR_LATENCY=%d", pa_wr_lat);
        has_stall  = $value$plusargs("MEM_STALL_PCT=%d", pa_stall);
        has_gap    = $value$plusargs("MEM_BEAT_GAP=%d", pa_gap);
        has_seed   = $value$plusargs("MEM_SEED=%d", pa_seed);
        for (i = 0; i < WORDS; i = i + 1) begin
            mem[i] = {BUS_W{1'b0}};
            wr_time[i] = 64'd0;
        end
    end

    wire [31:0] rd_lat_w = has_rd_lat ? pa_rd_lat : {16'd0, cfg_rd_latency};
    wire [31:0] wr_lat_w = has_wr_lat ? pa_wr_lat : {16'd0, cfg_wr_latency};
    wire [31:0] stall_w  = has_stall  ? pa_stall  : {24'd0, cfg_stall_pct};
    wire [31:0] gap_w    = has_gap    ? pa_gap    : {16'd0, cfg_beat_gap};
    wire [31:0] seed_w   = has_seed   ? pa_seed   : cfg_seed;
    integer rd_lat, wr_lat;
    always @* begin
        rd_lat = (rd_lat_w < 1) ? 1 : rd_lat_w;
        wr_lat = (wr_lat_w < 1) ? 1 : wr_lat_w;
    end

    // ---------------- randomness ----------------
    reg [31:0] lfsr;
    function [31:0] xorshift(input [31:0] x);
        reg [31:0] y;
        begin
            y = x ^ (x << 13);
            y = y ^ (y >> 17);
            xorshift = y ^ (y << 5);
        end
    endfunction
    // true with probability stall_w percent, from 16 bits of r
    function stall_of(input [31:0] r);
        stall_of = ((r[15:0] * 100) >> 16) < stall_w;
    endfunction

    function in_err(input [31:0] a);
        in_err = (cfg_err_hi > cfg_err_lo) && (a >= cfg_err_lo) && (a < cfg_err_hi);
    endfunction
    function in_mem(input [31:0] a);
        in_mem = (a >= MEM_BASE) && ((a - MEM_BASE) < MEM_BYTES);
    endfunction

    // ---------------- state ----------------
    integer cyc;
    // read queue
    reg [31:0] rq_addr [0:QUEUE_DEPTH-1];
    reg [8:0]  rq_beats[0:QUEUE_DEPTH-1];
    integer    rq_time [0:QUEUE_DEPTH-1];
    integer    rq_head, rq_tail, rq_count;
    integer    r_beat, r_gap;
    // write queue
    reg [31:0] wq_addr [0:QUEUE_DEPTH-1];
    reg [8:0]  wq_beats[0:QUEUE_DEPTH-1];
    reg [1:0]  wq_resp [0:QUEUE_DEPTH-1];   // worst response of the burst so far
    integer    wq_head, wq_tail, wq_count;
    integer    w_beat, w_gap;
    // response queue
    reg [1:0]  bq_resp [0:QUEUE_DEPTH-1];
    integer    bq_time [0:QUEUE_DEPTH-1];
    integer    bq_head, bq_tail, bq_count;

    reg [31:0] r1, r2, r3, r4, r5;
    reg [31:0] a;
    reg [BUS_W-1:0] bm;
    integer    lo, hi, b;

    always @(posedge clk) begin
        if (rst) begin
            cyc = 0;
            lfsr = (seed_w == 0) ? 32'd1 : seed_w;
            rq_head = 0; rq_tail = 0; rq_count = 0; r_beat = 0; r_gap = 0;
            wq_head = 0; wq_tail = 0; wq_count = 0; w_beat = 0; w_gap = 0;
            bq_head = 0; bq_tail = 0; bq_count = 0;
            s_axi_arready <= 1'b0; s_axi_awready <= 1'b0; s_axi_wready <= 1'b0;
            s_axi_rvalid <= 1'b0; s_axi_rlast <= 1'b0; s_axi_rresp <= 2'b00;
            s_axi_rdata <= {BUS_W{1'b0}};
            s_axi_bvalid <= 1'b0; s_axi_bresp <= 2'b00;
            rd_beats <= 32'd0; wr_beats <= 32'd0; r_holds <= 32'd0; b_holds <= 32'd0;
        end else begin
            cyc = cyc + 1;
            r1 = xorshift(lfsr); r2 = xorshift(r1); r3 = xorshift(r2);
            r4 = xorshift(r3); r5 = xorshift(r4); lfsr = r5;

            // ---- bulk ----
            if (load_req) $readmemh(load_file, mem);
            if (dump_req) begin
                lo = (cfg_dump_lo - MEM_BASE) / BYTES;
                hi = (cfg_dump_hi == 0) ? WORDS : (cfg_dump_hi - MEM_BASE + BYTES - 1) / BYTES;
                $writememh(dump_file, mem, lo, hi - 1);
            end

            // ---- AR ----
            if (s_axi_arvalid && s_axi_arready) begin
                rq_addr[rq_tail]  = s_axi_araddr;
                rq_beats[rq_tail] = {1'b0, s_axi_arlen} + 9'd1;
                rq_time[rq_tail]  = cyc + rd_lat - 1;
                rq_tail = (rq_tail + 1) % QUEUE_DEPTH;
                rq_count = rq_count + 1;
            end
            s_axi_arready <= (rq_count < QUEUE_DEPTH) && !stall_of(r1);

            // ---- R ----
            if (s_axi_rvalid && s_axi_rready) begin
                rd_beats <= rd_beats + 32'd1;
                r_gap = gap_w;
                if (r_beat + 1 == rq_beats[rq_head]) begin
                    r_beat = 0;
                    rq_head = (rq_head + 1) % QUEUE_DEPTH;
                    rq_count = rq_count - 1;
                end else begin
                    r_beat = r_beat + 1;
                end
            end
            if (!s_axi_rvalid || s_axi_rready) begin
                if (r_gap > 0) begin
                    r_gap = r_gap - 1;
                    s_axi_rvalid <= 1'b0;
                end else if (rq_count > 0 && rq_time[rq_head] <= cyc && !stall_of(r2)) begin
                    a = rq_addr[rq_head] + r_beat * BYTES;
                    s_axi_rvalid <= 1'b1;
                    s_axi_rlast  <= (r_beat + 1 == rq_beats[rq_head]);
                    if (in_mem(a)) begin
                        s_axi_rdata <= mem[(a - MEM_BASE) / BYTES];
                        s_axi_rresp <= in_err(a) ? 2'b10 : 2'b00;
                    end else begin
                        s_axi_rdata <= {BUS_W{1'b0}};
                        s_axi_rresp <= 2'b11;
                    end
                end else begin
                    s_axi_rvalid <= 1'b0;
                    if (rq_count > 0 && rq_time[rq_head] <= cyc) r_holds <= r_holds + 32'd1;
                end
            end

            // ---- AW ----
            if (s_axi_awvalid && s_axi_awready) begin
                wq_addr[wq_tail]  = s_axi_awaddr;
                wq_beats[wq_tail] = {1'b0, s_axi_awlen} + 9'd1;
                wq_resp[wq_tail]  = 2'b00;
                wq_tail = (wq_tail + 1) % QUEUE_DEPTH;
                wq_count = wq_count + 1;
            end
            s_axi_awready <= (wq_count < QUEUE_DEPTH) && !stall_of(r3);

            // ---- W (accepted only for a burst whose AW has been accepted) ----
            if (s_axi_wvalid && s_axi_wready) begin
                wr_beats <= wr_beats + 32'd1;
                w_gap = gap_w;
                a = wq_addr[wq_head] + w_beat * BYTES;
                // SLVERR for a burst touching the error range, DECERR outside the memory;
                // beats of an erroring burst are not written
                if (!in_mem(a))     wq_resp[wq_head] = 2'b11;
                else if (in_err(a)) wq_resp[wq_head] = (wq_resp[wq_head] == 2'b11) ? 2'b11 : 2'b10;
                if (wq_resp[wq_head] == 2'b00) begin
                    for (b = 0; b < BYTES; b = b + 1) bm[8*b +: 8] = {8{s_axi_wstrb[b]}};
                    mem[(a - MEM_BASE) / BYTES] = (mem[(a - MEM_BASE) / BYTES] & ~bm) |
                                                  (s_axi_wdata & bm);
                    wr_time[(a - MEM_BASE) / BYTES] = $time;
                end
                if (w_beat + 1 == wq_beats[wq_head]) begin
                    bq_resp[bq_tail] = wq_resp[wq_head];
                    bq_time[bq_tail] = cyc + wr_lat - 1;
                    bq_tail = (bq_tail + 1) % QUEUE_DEPTH;
                    bq_count = bq_count + 1;
                    w_beat = 0;
                    wq_head = (wq_head + 1) % QUEUE_DEPTH;
                    wq_count = wq_count - 1;
                end else begin
                    w_beat = w_beat + 1;
                end
            end
            if (w_gap > 0) begin
                w_gap = w_gap - 1;
                s_axi_wready <= 1'b0;
            end else begin
                s_axi_wready <= (wq_count > 0) && (bq_count < QUEUE_DEPTH) && !stall_of(r4);
            end

            // ---- B ----
            if (s_axi_bvalid && s_axi_bready) begin
                bq_head = (bq_head + 1) % QUEUE_DEPTH;
                bq_count = bq_count - 1;
            end
            if (!s_axi_bvalid || s_axi_bready) begin
                if (bq_count > 0 && bq_time[bq_head] <= cyc && !stall_of(r5)) begin
                    s_axi_bvalid <= 1'b1;
                    s_axi_bresp  <= bq_resp[bq_head];
                end else begin
                    s_axi_bvalid <= 1'b0;
                    if (bq_count > 0 && bq_time[bq_head] <= cyc) b_holds <= b_holds + 32'd1;
                end
            end
        end
    end

    // The model serves INCR bursts of full bus width only (what the DMA masters issue); the
    // protocol checker flags anything else. These inputs are therefore not interpreted.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused = &{1'b0, s_axi_awsize, s_axi_awburst, s_axi_arsize, s_axi_arburst, s_axi_wlast};
    /* verilator lint_on UNUSEDSIGNAL */
endmodule
`default_nettype wire
