`default_nettype none
// Simulation-only AXI4 slave memory with DRAM timing (docs/dram_model.md): the same ports, bulk
// load/dump and error injection as tb/hdl/axi_mem_model.v, but the time of every R beat and B
// response comes from a DRAM behind an in-order controller:
//   * data moves in atoms of ATOM_BYTES (one BL8 burst); a request costs every atom it touches
//     (a one-beat read costs a whole atom);
//   * BANKS banks with one open row each, address map row:bank:column (ROW_BYTES per row);
//     row hit: CAS; closed bank: ACT + CAS; other row open: PRE + ACT + CAS (tRCD, tRP, tRAS,
//     tRTP, write recovery tWR);
//   * CAS to CAS tCCD, read-to-write T_RTW, write-to-read CWL + burst + tWTR;
//   * a REFRESH (all banks precharged, T_RFC) due every T_REFI cycles;
//   * one command queue of QUEUE_DEPTH reads + writes: ARREADY / AWREADY low while it is full;
//     requests are scheduled in acceptance order (a write once its last W beat is in), R beats
//     and B responses come back in order (one ID).
// Every T_* is in chip clock cycles and comes from models/cycle/dram_timing.py (hdl_parameters()),
// the one place of the DRAM figures and their source; the defaults 0 are refused. The Python
// twin (models/cycle/dram_timing.py) predicts every beat's cycle; tb/test_dram_model.py checks it.
//
// Memory, bulk access and errors as axi_mem_model.v: MEM_BYTES at MEM_BASE, load_req ->
// $readmemh(+MEM_LOAD= or LOAD_FILE), dump_req -> $writememh(+MEM_DUMP= or DUMP_FILE) over
// [cfg_dump_lo, cfg_dump_hi); cfg_err_lo/hi give SLVERR, outside memory DECERR. Read data is
// taken when the beat is presented, write data when the W beat is accepted. The latency, stall,
// beat-gap and seed knobs of the ideal model are ignored here (the timing is the DRAM's).
// A behavioural simulation model, not RTL: blocking assignments in the clocked process and
// integer arithmetic are intended (as in axi_mem_model.v).
/* verilator lint_off BLKSEQ */
/* verilator lint_off WIDTH */
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNSIGNED */
module dram_model #(
    parameter integer BUS_W       = 64,             // data width in bits
    parameter integer MEM_BYTES   = 1 << 20,        // memory size in bytes (multiple of BUS_W/8)
    parameter [31:0]  MEM_BASE    = 32'h0000_0000,  // byte address of mem[0]
    parameter         LOAD_FILE   = "mem_load.hex", // default file of load_req
    parameter         DUMP_FILE   = "mem_dump.hex", // default file of dump_req
    // DRAM timing in chip cycles (models/cycle/dram_timing.py); 0 = not set, refused
    parameter integer T_CL        = 0,   // READ to its data
    parameter integer T_CWL       = 0,   // WRITE to its data
    parameter integer T_RCD       = 0,   // ACT to READ/WRITE
    parameter integer T_RP        = 0,   // PRE to ACT
    parameter integer T_RAS       = 0,   // ACT to PRE
    parameter integer T_RTP       = 0,   // READ to PRE
    parameter integer T_WTR       = 0,   // end of write data to READ
    parameter integer T_WR        = 0,   // end of write data to PRE
    parameter integer T_CCD       = 0,   // CAS to CAS
    parameter integer T_RTW       = 0,   // READ to WRITE
    parameter integer T_BURST     = 0,   // one atom on the DRAM data bus
    parameter integer T_CTRL      = -1,  // controller + PHY pipeline on read data / write B (>= 0)
    parameter integer T_RFC       = 0,   // REFRESH duration
    parameter integer T_REFI      = 0,   // refresh interval
    parameter integer BANKS       = 0,   // banks
    parameter integer ROW_BYTES   = 0,   // bytes per row (page) of the rank
    parameter integer ATOM_BYTES  = 0,   // bytes per burst atom (multiple of BUS_W/8)
    parameter integer QUEUE_DEPTH = 0    // command queue entries (reads + writes), 1..256
) (
    input  wire               clk,
    input  wire               rst,
    // AXI4 slave: write address, data, response
    input  wire [31:0]        s_axi_awaddr,
    input  wire [7:0]         s_axi_awlen,
    input  wire [2:0]         s_axi_awsize,
    input  wire [1:0]         s_axi_awburst,
    input  wire               s_axi_awvalid,
    output wire               s_axi_awready,
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
    output wire               s_axi_arready,
    output reg  [BUS_W-1:0]   s_axi_rdata,
    output reg  [1:0]         s_axi_rresp,
    output reg                s_axi_rlast,
    output reg                s_axi_rvalid,
    input  wire               s_axi_rready,
    // knobs of the ideal model: only the error range is used here
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
    output reg  [31:0]        wr_beats
);
    localparam integer BYTES = BUS_W / 8;
    localparam integer WORDS = MEM_BYTES / BYTES;
    localparam integer QD    = (QUEUE_DEPTH > 0) ? QUEUE_DEPTH : 1;
    localparam integer NB    = (BANKS > 0) ? BANKS : 1;
    localparam integer ATOM  = (ATOM_BYTES > 0) ? ATOM_BYTES : BYTES;
    localparam integer ROWB  = (ROW_BYTES > 0) ? ROW_BYTES : ATOM;
    localparam integer MAXA  = (256 * BYTES + ATOM - 1) / ATOM + 1;  // atoms one burst can touch

    reg [BUS_W-1:0] mem [0:WORDS-1];

    // ---------------- parameter checks (refused at elaboration, naming the parameter) ----------------
    initial begin
        if (T_CL < 1)    $fatal(1, "dram_model: parameter T_CL = %0d must be >= 1 (from models/cycle/dram_timing.py)", T_CL);
        if (T_CWL < 1)   $fatal(1, "dram_model: parameter T_CWL = %0d must be >= 1", T_CWL);
        if (T_RCD < 1)   $fatal(1, "dram_model: parameter T_RCD = %0d must be >= 1", T_RCD);
        if (T_RP < 1)    $fatal(1, "dram_model: parameter T_RP = %0d must be >= 1", T_RP);
        if (T_RAS < 1)   $fatal(1, "dram_model: parameter T_RAS = %0d must be >= 1", T_RAS);
        if (T_RTP < 1)   $fatal(1, "dram_model: parameter T_RTP = %0d must be >= 1", T_RTP);
        if (T_WTR < 1)   $fatal(1, "dram_model: parameter T_WTR = %0d must be >= 1", T_WTR);
        if (T_WR < 1)    $fatal(1, "dram_model: parameter T_WR = %0d must be >= 1", T_WR);
        if (T_CCD < 1)   $fatal(1, "dram_model: parameter T_CCD = %0d must be >= 1", T_CCD);
        if (T_RTW < 1)   $fatal(1, "dram_model: parameter T_RTW = %0d must be >= 1", T_RTW);
        if (T_BURST < 1) $fatal(1, "dram_model: parameter T_BURST = %0d must be >= 1", T_BURST);
        if (T_CTRL < 0)  $fatal(1, "dram_model: parameter T_CTRL = %0d must be >= 0", T_CTRL);
        if (T_RFC < 1)   $fatal(1, "dram_model: parameter T_RFC = %0d must be >= 1", T_RFC);
        if (T_REFI <= T_RFC)
            $fatal(1, "dram_model: parameter T_REFI = %0d must be longer than the refresh T_RFC = %0d", T_REFI, T_RFC);
        if (BANKS < 1)   $fatal(1, "dram_model: parameter BANKS = %0d must be >= 1", BANKS);
        if (ATOM_BYTES < 1 || ATOM_BYTES % BYTES != 0)
            $fatal(1, "dram_model: parameter ATOM_BYTES = %0d must be a multiple of the bus width (%0d bytes)", ATOM_BYTES, BYTES);
        if (ROW_BYTES < 1 || ROW_BYTES % ATOM != 0)
            $fatal(1, "dram_model: parameter ROW_BYTES = %0d must be a multiple of ATOM_BYTES", ROW_BYTES);
        if (QUEUE_DEPTH < 1 || QUEUE_DEPTH > 256)
            $fatal(1, "dram_model: parameter QUEUE_DEPTH = %0d must be 1..256", QUEUE_DEPTH);
    end

    // ---------------- files, memory init ----------------
    reg [8*256-1:0] load_file, dump_file;
    integer i;
    initial begin
        load_file = LOAD_FILE;
        dump_file = DUMP_FILE;
        if ($value$plusargs("MEM_LOAD=%s", load_file)) ;
        if ($value$plusargs("MEM_DUMP=%s", dump_file)) ;
        for (i = 0; i < WORDS; i = i + 1) mem[i] = {BUS_W{1'b0}};
    end

    function in_err(input [31:0] a);
        in_err = (cfg_err_hi > cfg_err_lo) && (a >= cfg_err_lo) && (a < cfg_err_hi);
    endfunction
    function in_mem(input [31:0] a);
        in_mem = (a >= MEM_BASE) && ((a - MEM_BASE) < MEM_BYTES);
    endfunction

    // ---------------- DRAM scheduler state (models/cycle/dram_timing.py DramScheduler) ----------------
    integer open_row [0:NB-1];   // -1 = closed
    integer t_act_ok [0:NB-1];
    integer t_cas_ok [0:NB-1];
    integer t_pre_ok [0:NB-1];
    integer last_cas, last_kind, next_ref;
    integer n_hits, n_misses, n_conflicts, n_refreshes, n_rd_atoms, n_wr_atoms;

    integer sa_row, sa_bank, sa_t0, sa_first, sa_act, sa_cas, sa_ref, sa_pre, sa_b;
    reg     sa_any_open, sa_go;
    // One atom (the one holding `addr`), commands not before `tready`; `done` = data complete.
    task sched_atom(input integer tready, input [31:0] addr, input wr, output integer done);
        begin
            sa_row  = addr / (ROWB * NB);
            sa_bank = (addr / ROWB) % NB;
            sa_go = 1'b1;
            while (sa_go) begin
                sa_t0 = tready;  // row commands may go ahead (other banks); CAS stays in order
                // plan: first command, ACT (-1 for a row hit), CAS
                if (open_row[sa_bank] == sa_row) begin
                    sa_act = -1;
                    sa_cas = (sa_t0 > t_cas_ok[sa_bank]) ? sa_t0 : t_cas_ok[sa_bank];
                    sa_first = -1;
                end else begin
                    if (open_row[sa_bank] >= 0) begin
                        sa_first = (sa_t0 > t_pre_ok[sa_bank]) ? sa_t0 : t_pre_ok[sa_bank];
                        sa_act = sa_first + T_RP;
                        if (t_act_ok[sa_bank] > sa_act) sa_act = t_act_ok[sa_bank];
                    end else begin
                        sa_act = (sa_t0 > t_act_ok[sa_bank]) ? sa_t0 : t_act_ok[sa_bank];
                        sa_first = sa_act;
                    end
                    sa_cas = sa_act + T_RCD;
                end
                if (last_kind == 1) begin
                    if (sa_cas < last_cas + (wr ? T_RTW : T_CCD)) sa_cas = last_cas + (wr ? T_RTW : T_CCD);
                end else if (last_kind == 2) begin
                    if (sa_cas < last_cas + (wr ? T_CCD : T_CWL + T_BURST + T_WTR))
                        sa_cas = last_cas + (wr ? T_CCD : T_CWL + T_BURST + T_WTR);
                end
                if (sa_first < 0) sa_first = sa_cas;
                if (sa_first < next_ref) begin
                    sa_go = 1'b0;
                end else begin
                    // refresh due before this atom: precharge all, REFRESH, every row closed
                    sa_ref = next_ref;  // due then, a request waiting or not (no pile-up after idle)
                    sa_pre = sa_ref;
                    sa_any_open = 1'b0;
                    for (sa_b = 0; sa_b < NB; sa_b = sa_b + 1) begin
                        if (t_act_ok[sa_b] > sa_ref) sa_ref = t_act_ok[sa_b];
                        if (open_row[sa_b] >= 0) begin
                            sa_any_open = 1'b1;
                            if (t_pre_ok[sa_b] > sa_pre) sa_pre = t_pre_ok[sa_b];
                        end
                    end
                    if (sa_any_open && sa_pre + T_RP > sa_ref) sa_ref = sa_pre + T_RP;
                    for (sa_b = 0; sa_b < NB; sa_b = sa_b + 1) begin
                        open_row[sa_b] = -1;
                        t_act_ok[sa_b] = sa_ref + T_RFC;
                    end
                    next_ref = next_ref + T_REFI;
                    n_refreshes = n_refreshes + 1;
                end
            end
            if (sa_act < 0)                  n_hits = n_hits + 1;
            else if (open_row[sa_bank] >= 0) n_conflicts = n_conflicts + 1;
            else                             n_misses = n_misses + 1;
            if (sa_act >= 0) begin
                open_row[sa_bank] = sa_row;
                t_cas_ok[sa_bank] = sa_act + T_RCD;
                t_pre_ok[sa_bank] = sa_act + T_RAS;
            end
            if (wr) begin
                if (sa_cas + T_CWL + T_BURST + T_WR > t_pre_ok[sa_bank])
                    t_pre_ok[sa_bank] = sa_cas + T_CWL + T_BURST + T_WR;
                n_wr_atoms = n_wr_atoms + 1;
                done = sa_cas + T_CWL + T_BURST + T_CTRL;
            end else begin
                if (sa_cas + T_RTP > t_pre_ok[sa_bank]) t_pre_ok[sa_bank] = sa_cas + T_RTP;
                n_rd_atoms = n_rd_atoms + 1;
                done = sa_cas + T_CL + T_BURST + T_CTRL;
            end
            last_cas = sa_cas;
            last_kind = wr ? 2 : 1;
        end
    endtask

    // ---------------- the command queue: a read FIFO and a write FIFO, one sequence ----------------
    reg [31:0] rq_addr  [0:QD-1];
    integer    rq_beats [0:QD-1];
    integer    rq_seq   [0:QD-1];
    integer    rq_tready[0:QD-1];
    integer    rq_done  [0:QD*MAXA-1];  // per entry, per atom: data complete
    integer    rq_head, rq_sched, rq_tail, rq_n, rq_uns;  // oldest, next to schedule, next free
    reg [31:0] wq_addr  [0:QD-1];
    integer    wq_beats [0:QD-1];
    integer    wq_seq   [0:QD-1];
    integer    wq_tready[0:QD-1];         // last W beat + 1 (-1: data not complete)
    integer    wq_done  [0:QD-1];         // last atom's data complete (B may follow)
    reg [1:0]  wq_resp  [0:QD-1];
    integer    wq_head, wq_sched, wq_data, wq_tail, wq_n, wq_uns, wq_owed;
    integer    q_used, seq, cyc, r_beat, w_beat;
    reg [31:0] q_used_r;  // entries in use before this edge (nonblocking: ARREADY/AWREADY)

    // AXI allows READY to depend on VALID: an AW takes the last free entry only without an AR.
    assign s_axi_arready = !rst && (q_used_r < QD);
    assign s_axi_awready = !rst && (q_used_r + {31'd0, s_axi_arvalid} < QD);

    reg        ar_fire, aw_fire, pick_w, sched_go;
    reg [31:0] a;
    reg [BUS_W-1:0] bm;
    integer    lo, hi, b, k, a0, a1, d, e;

    always @(posedge clk) begin
        if (rst) begin
            cyc = 0;
            for (b = 0; b < NB; b = b + 1) begin
                open_row[b] = -1; t_act_ok[b] = 0; t_cas_ok[b] = 0; t_pre_ok[b] = 0;
            end
            last_cas = 0; last_kind = 0; next_ref = -1;  // refresh timer: from the first request
            n_hits = 0; n_misses = 0; n_conflicts = 0; n_refreshes = 0;
            n_rd_atoms = 0; n_wr_atoms = 0;
            rq_head = 0; rq_sched = 0; rq_tail = 0; rq_n = 0; rq_uns = 0;
            wq_head = 0; wq_sched = 0; wq_data = 0; wq_tail = 0; wq_n = 0; wq_uns = 0; wq_owed = 0;
            q_used = 0; seq = 0; r_beat = 0; w_beat = 0;
            q_used_r <= 32'd0;
            s_axi_wready <= 1'b0;
            s_axi_rvalid <= 1'b0; s_axi_rlast <= 1'b0; s_axi_rresp <= 2'b00;
            s_axi_rdata <= {BUS_W{1'b0}};
            s_axi_bvalid <= 1'b0; s_axi_bresp <= 2'b00;
            rd_beats <= 32'd0; wr_beats <= 32'd0;
        end else begin
            cyc = cyc + 1;
            ar_fire = s_axi_arvalid && s_axi_arready;
            aw_fire = s_axi_awvalid && s_axi_awready;

            // ---- bulk ----
            if (load_req) begin
                // the test bench wrote the memory: the DRAM starts idle again (every bank closed,
                // the refresh timer from the next request), as DramScheduler does for each GEMM
                $readmemh(load_file, mem);
                for (b = 0; b < NB; b = b + 1) begin
                    open_row[b] = -1; t_act_ok[b] = 0; t_cas_ok[b] = 0; t_pre_ok[b] = 0;
                end
                last_cas = 0; last_kind = 0; next_ref = -1;
            end
            if (dump_req) begin
                lo = (cfg_dump_lo - MEM_BASE) / BYTES;
                hi = (cfg_dump_hi == 0) ? WORDS : (cfg_dump_hi - MEM_BASE + BYTES - 1) / BYTES;
                $writememh(dump_file, mem, lo, hi - 1);
            end

            // ---- R and B handshakes: a read leaves the queue with its last beat, a write with B ----
            if (s_axi_rvalid && s_axi_rready) begin
                rd_beats <= rd_beats + 32'd1;
                if (r_beat + 1 == rq_beats[rq_head]) begin
                    r_beat = 0;
                    rq_head = (rq_head + 1) % QD;
                    rq_n = rq_n - 1;
                    q_used = q_used - 1;
                end else begin
                    r_beat = r_beat + 1;
                end
            end
            if (s_axi_bvalid && s_axi_bready) begin
                wq_head = (wq_head + 1) % QD;
                wq_n = wq_n - 1;
                q_used = q_used - 1;
            end

            // ---- AR, then AW of the same edge ----
            if ((ar_fire || aw_fire) && next_ref < 0) next_ref = cyc + T_REFI;
            if (ar_fire) begin
                rq_addr[rq_tail] = s_axi_araddr;
                rq_beats[rq_tail] = {24'd0, s_axi_arlen} + 1;
                rq_seq[rq_tail] = seq;
                rq_tready[rq_tail] = cyc + 1;
                seq = seq + 1;
                rq_tail = (rq_tail + 1) % QD;
                rq_n = rq_n + 1; rq_uns = rq_uns + 1;
                q_used = q_used + 1;
            end
            if (aw_fire) begin
                wq_addr[wq_tail] = s_axi_awaddr;
                wq_beats[wq_tail] = {24'd0, s_axi_awlen} + 1;
                wq_seq[wq_tail] = seq;
                wq_tready[wq_tail] = -1;
                wq_resp[wq_tail] = 2'b00;
                seq = seq + 1;
                wq_tail = (wq_tail + 1) % QD;
                wq_n = wq_n + 1; wq_uns = wq_uns + 1; wq_owed = wq_owed + 1;
                q_used = q_used + 1;
            end

            // ---- W (only for a write whose AW was accepted; data written on acceptance) ----
            if (s_axi_wvalid && s_axi_wready) begin
                wr_beats <= wr_beats + 32'd1;
                a = wq_addr[wq_data] + w_beat * BYTES;
                if (!in_mem(a))     wq_resp[wq_data] = 2'b11;
                else if (in_err(a)) wq_resp[wq_data] = (wq_resp[wq_data] == 2'b11) ? 2'b11 : 2'b10;
                if (wq_resp[wq_data] == 2'b00) begin
                    for (b = 0; b < BYTES; b = b + 1) bm[8*b +: 8] = {8{s_axi_wstrb[b]}};
                    mem[(a - MEM_BASE) / BYTES] = (mem[(a - MEM_BASE) / BYTES] & ~bm) |
                                                  (s_axi_wdata & bm);
                end
                if (w_beat + 1 == wq_beats[wq_data]) begin
                    w_beat = 0;
                    wq_tready[wq_data] = cyc + 1;
                    wq_data = (wq_data + 1) % QD;
                    wq_owed = wq_owed - 1;
                end else begin
                    w_beat = w_beat + 1;
                end
            end

            // ---- schedule, in acceptance order, every entry that can be ----
            sched_go = 1'b1;
            while (sched_go) begin
                if (rq_uns > 0 && wq_uns > 0) pick_w = wq_seq[wq_sched] < rq_seq[rq_sched];
                else                          pick_w = (wq_uns > 0);
                if (rq_uns == 0 && wq_uns == 0) begin
                    sched_go = 1'b0;
                end else if (pick_w) begin
                    if (wq_tready[wq_sched] < 0) begin
                        sched_go = 1'b0;  // its data is not all in: everything behind it waits
                    end else begin
                        a0 = wq_addr[wq_sched] / ATOM;
                        a1 = (wq_addr[wq_sched] + wq_beats[wq_sched] * BYTES - 1) / ATOM;
                        for (k = a0; k <= a1; k = k + 1) begin
                            sched_atom(wq_tready[wq_sched], k * ATOM, 1, d);
                            wq_done[wq_sched] = d;
                        end
                        wq_sched = (wq_sched + 1) % QD;
                        wq_uns = wq_uns - 1;
                    end
                end else begin
                    a0 = rq_addr[rq_sched] / ATOM;
                    a1 = (rq_addr[rq_sched] + rq_beats[rq_sched] * BYTES - 1) / ATOM;
                    for (k = a0; k <= a1; k = k + 1) begin
                        sched_atom(rq_tready[rq_sched], k * ATOM, 0, d);
                        rq_done[rq_sched * MAXA + k - a0] = d;
                    end
                    rq_sched = (rq_sched + 1) % QD;
                    rq_uns = rq_uns - 1;
                end
            end

            // ---- R: the oldest read's next beat, once its atom is complete (in order) ----
            if (!s_axi_rvalid || s_axi_rready) begin
                e = rq_done[rq_head * MAXA +
                            (rq_addr[rq_head] + r_beat * BYTES) / ATOM - rq_addr[rq_head] / ATOM];
                if (rq_n - rq_uns > 0 && e <= cyc + 1) begin
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
                end
            end

            // ---- B: the oldest write's response, once its last atom is written ----
            if (!s_axi_bvalid || s_axi_bready) begin
                if (wq_n - wq_uns > 0 && wq_done[wq_head] <= cyc + 1) begin
                    s_axi_bvalid <= 1'b1;
                    s_axi_bresp  <= wq_resp[wq_head];
                end else begin
                    s_axi_bvalid <= 1'b0;
                end
            end

            s_axi_wready <= (wq_owed > 0);
            q_used_r <= q_used;
        end
    end

    // INCR bursts of full bus width only (what the DMA masters issue; the protocol checker
    // flags anything else); the ideal model's timing knobs have no meaning here.
    wire unused = &{1'b0, s_axi_awsize, s_axi_awburst, s_axi_arsize, s_axi_arburst, s_axi_wlast,
                    cfg_rd_latency, cfg_wr_latency, cfg_stall_pct, cfg_beat_gap, cfg_seed};
endmodule
`default_nettype wire
