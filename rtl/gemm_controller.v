`default_nettype none
// Tiling controller of the chip: runs C[M x N] = A[M x K] . B[K x N] (+ bias, requant, ReLU)
// from external memory on gemm_core, as planned in docs/chip.md.
// One file of ~900 lines on purpose: the three engines below share the step counters, the read
// credit and the B-bank state cycle by cycle; as separate modules every shared signal would cross
// a port (and, to meet timing, a register), changing the cycle counts the cycle model reproduces.
//
// Three engines run concurrently and meet at step counters (a step = one row block x one
// column tile):
//   loader  : issues reads (INCR bursts of up to 16 beats with read_bursts = 1, else one beat
//             each): A row chunks (to a_transposer, once per row block),
//             bias/scale chunks (to the param slot of the step), the sparsity bits of the column
//             tile, and the B rows of its non-zero blocks (to the B bank of the step, compacted),
//             recording the runs of non-zero blocks;
//   compute : for every row tile of the block and every run, one core command (split
//             reduction with acc_continue / no_emit), or one K=1 command on a zero entry when the
//             column tile has no non-zero block (bias-only output);
//   store   : takes result rows in issue order and writes the valid part of each row to C
//             (strobed beats, any byte offset within the beat).
// B banks and param slots are triple-buffered; A is single-buffered per row block. With
// overlap_enable = 0 every step waits for the previous one to be written back.
module gemm_controller #(
    parameter integer ARRAY_N   = 8,        // core array size
    parameter integer BUS_W     = 64,       // data bus width in bits (BUS_W/8 >= ARRAY_N)
    parameter integer KMAX      = 2048,     // largest K (entries per A panel / B bank)
    parameter integer A_PANELS  = 4,        // row tiles per row block (A reuse factor)
    parameter [31:0]  MEM_BYTES = 32'h0100_0000, // addresses must stay below this
    parameter integer CHAIN_MAX = 4096      // descriptors one START may run (1..65535)
) (
    input  wire                    clk,
    input  wire                    rst,
    // ---- control (from the register file) ----
    input  wire                    start,
    input  wire                    soft_reset,
    input  wire                    overlap_enable,
    input  wire                    chain_enable,
    input  wire                    read_bursts,  // 1: contiguous data as bursts; 0: one beat each
    input  wire [31:0]             chain_addr,
    // descriptor registers (used when chain_enable = 0)
    input  wire [31:0]             r_a_addr, r_b_addr, r_c_addr, r_bias_addr, r_map_addr,
    input  wire [15:0]             r_m, r_n, r_k,
    input  wire [31:0]             r_lda, r_ldb, r_ldc,
    input  wire [31:0]             r_scale,
    input  wire [5:0]              r_shift,
    input  wire [4:0]              r_flags,   // 0 out_int8, 1 relu, 2 bias_en, 3 per_channel, 4 sparse
    // ---- status ----
    output wire                    busy,
    output reg                     done_pulse,
    output reg                     error_pulse,
    output reg  [7:0]              error_code,
    output reg  [31:0]             cnt_total, cnt_compute, cnt_stall,
    output reg  [31:0]             cnt_bytes_rd, cnt_bytes_wr, cnt_tiles, cnt_skipped,
    // ---- read requests (rq_beats contiguous beats each, data returned in order) ----
    output wire                    rq_valid,
    input  wire                    rq_ready,
    output wire [31:0]             rq_addr,
    output wire [4:0]              rq_beats,  // 1..16
    input  wire                    rd_valid,
    output wire                    rd_ready,
    input  wire [BUS_W-1:0]        rd_data,
    input  wire                    rd_error,  // RRESP != OKAY on this beat
    // ---- write requests (one row slice each: command, then its beats) ----
    output wire                    wq_valid,
    input  wire                    wq_ready,
    output wire [31:0]             wq_addr,
    output wire [3:0]              wq_beats,
    output wire                    wd_valid,
    input  wire                    wd_ready,
    output wire [BUS_W-1:0]        wd_data,
    output wire [BUS_W/8-1:0]      wd_strb,
    input  wire                    wr_resp,   // one per command, when its B response arrives
    input  wire                    wr_error,  // with wr_resp: BRESP != OKAY
    // ---- core ----
    output reg                     core_rst,
    output wire                    cmd_valid,
    input  wire                    cmd_ready,
    output wire [($clog2(A_PANELS*KMAX))-1:0]           cmd_a_base,
    output wire [($clog2(A_PANELS*KMAX))-1:0]           cmd_b_base,
    output wire [15:0]             cmd_k,
    output wire [1:0]              cmd_p_addr,
    output wire [5:0]              cmd_shift,
    output wire [5:0]              cmd_flags,
    input  wire                    res_valid,
    output wire                    res_ready,
    input  wire [ARRAY_N*32-1:0]   res_data,
    input  wire                    core_issuing,
    output wire                    b_wr_en,
    output wire [($clog2(A_PANELS*KMAX))-1:0]           b_wr_addr,
    output wire [ARRAY_N*8-1:0]    b_wr_data,
    output reg                     p_wr_en,
    output wire [1:0]              p_wr_addr,
    output wire [ARRAY_N*64-1:0]   p_wr_data,
    output wire                    ta_valid,     // A beats to the transposer
    input  wire                    ta_ready,
    output wire [BUS_W-1:0]        ta_data,
    output wire [($clog2(A_PANELS*KMAX))-1:0]           ta_addr,
    output wire [4:0]              ta_chunks,    // bus words per A row in this group
    input  wire                    ta_idle
);
    localparam integer W      = BUS_W / 8;             // bytes per beat
    localparam integer WB     = $clog2(W);             // byte-offset bits
    localparam integer AW     = $clog2(A_PANELS*KMAX); // core buffer address width
    localparam integer KB_MAX = KMAX / ARRAY_N;        // k-blocks per column tile
    localparam integer LN     = $clog2(ARRAY_N);
    localparam [31:0]   ZERO_ENTRY32 = 3 * KMAX;   // after the three B banks
    localparam [AW-1:0] ZERO_ENTRY = ZERO_ENTRY32[AW-1:0];  // B entry kept all-zero
    localparam [15:0]   N16 = ARRAY_N[15:0];
    localparam [15:0]   AP16 = A_PANELS[15:0];
    localparam integer  LAP = $clog2(A_PANELS);
    localparam [15:0]   W16 = W[15:0];
    localparam [31:0]   P_BEATS32 = (4 * ARRAY_N) / W;
    localparam [31:0]   DESC_BEATS32 = 64 / W;

    // Build rule: a row of a B block (ARRAY_N bytes) comes from ONE bus word (b_wr_data below),
    // so BUS_W / 8 >= ARRAY_N. A build that breaks it stops at elaboration on this instance of
    // a module that does not exist, whose name states the rule (Verilog-2005 has no $error).
    generate
        if (W < ARRAY_N) begin : g_bad_build
            gemm_controller_needs_BUS_W_div_8_at_least_ARRAY_N u_build_rule ();
        end
    endgenerate
    // A burst: the bus words of one row taken per request (a 64-byte burst, at least 2): the
    // transposer's group depth (GMAX of a_transposer)
    localparam integer  A_BURST = (64 / W >= 2) ? 64 / W : 2;
    localparam [15:0]   AB16 = A_BURST[15:0];

    // error codes: the names and values of rtl/regmap.json (tests/test_host_docs.py checks them)
    localparam [7:0] E_ZERO_DIM = 8'd1, E_DIM_TOO_LARGE = 8'd2, E_ADDR_RANGE = 8'd3,
                     E_OVERLAP = 8'd4, E_MISALIGNED = 8'd5, E_START_WHILE_BUSY = 8'd6,
                     E_AXI_READ_ERROR = 8'd8, E_AXI_WRITE_ERROR = 8'd9, E_BAD_FLAGS = 8'd10,
                     E_BAD_CHAIN = 8'd11;
    localparam [15:0] CHAIN_MAX16 = CHAIN_MAX[15:0];

    // ================= descriptor =================
    reg [31:0] d_a, d_b, d_c, d_bias, d_map, d_lda, d_ldb, d_ldc, d_scale, d_next;
    reg        d_resv_bad;    // chain: the reserved descriptor word was not 0
    reg [31:0] d_fetch;       // chain: address of the descriptor being fetched (d_next changes
                              // under the fetch when its NEXT word comes back early)
    reg [15:0] d_count;       // chain: descriptors fetched since START (limit CHAIN_MAX)
    // a descriptor address is good when 64-byte aligned and its 64 bytes lie below MEM_BYTES
    function desc_addr_bad(input [31:0] addr);
        desc_addr_bad = (addr[5:0] != 6'd0) || (addr > MEM_BYTES - 32'd64);
    endfunction
    reg [15:0] d_m, d_n, d_k;
    reg [5:0]  d_shift;
    reg [4:0]  d_flags;
    wire out_int8 = d_flags[0], f_relu = d_flags[1], f_bias = d_flags[2];
    wire f_perch = d_flags[3], f_sparse = d_flags[4];

    // derived shape (valid from CHECK on)
    reg [15:0] n_rt;      // row tiles  = ceil(M / N)
    reg [15:0] n_ct;      // col tiles  = ceil(Ncols / N)
    reg [15:0] n_kb;      // k-blocks   = ceil(K / N)
    reg [15:0] n_kc;      // k-chunks   = ceil(K / W)
    reg [31:0] n_steps;   // n_rb * n_ct
    wire [15:0] n_rb_calc = ceil_div16(n_rt, AP16, LAP);   // a shift (A_PANELS = 4)

    // ================= top state =================
    localparam [2:0] S_IDLE = 3'd0, S_FETCH = 3'd1, S_CHECK = 3'd2, S_RUN = 3'd3,
                     S_ABORT = 3'd4, S_DONE = 3'd5;
    reg [2:0]  state;
    reg [3:0]  fetch_beat;
    reg [1:0]  chk_phase;
    reg        aborting_err;   // abort because of an error (vs soft reset)
    assign busy = (state != S_IDLE);

    // read bookkeeping: every read is one beat; the data router pops a destination per beat
    reg [31:0] rd_issued, rd_done;
    reg [31:0] wr_issued, wr_acked;

    // store engine state (used by the loader's serial mode and the run's end, below)
    reg [1:0]  s_state;           // 0 idle, 1 writing a row slice (command and beats)
    reg        s_cmd_sent;        // the row slice's write command was accepted
    // serial mode: the previous step's rows are not only out of the core but written
    wire s_written = (s_state == 2'd0) && (wr_acked == wr_issued);

    // ================= checks =================
    // Two register stages in the two cycles S_CHECK already spends before its decision (timing
    // closure, docs/fpga.md): phase 0 registers the byte ends of the operands (the multiplies and
    // 48-bit adds, from the descriptor registers alone) and the code of the first four checks;
    // phase 1 compares the registered ends and decides. Same checks, same priority, same cycle.
    // The shape is computed from the descriptor here too, not from the n_* registers phase 0 sets.
    wire [15:0] n_ct_c = ceil_div16(d_n, N16, LN);
    localparam integer MAP_DIV = 8 * ARRAY_N * W;
    // byte extents of the operands (the last row only up to its used length), modulo 2**48 as
    // ({32'd0, d_m} - 1) * LDA + K was: (M - 1) * LDA = M * LDA - LDA, so no decrement sits before
    // the multiplier (M = 0 gives ZERO_DIM first anyway)
    wire [47:0] c_elems   = out_int8 ? {32'd0, d_n} : {30'd0, d_n, 2'b00};
    wire [47:0] a_end_c   = {32'd0, d_m} * {16'd0, d_lda} + ({16'd0, d_a} + {32'd0, d_k} - {16'd0, d_lda});
    wire [47:0] b_end_c   = {32'd0, d_k} * {16'd0, d_ldb} + ({16'd0, d_b} + {32'd0, d_n} - {16'd0, d_ldb});
    wire [47:0] c_end_c   = {32'd0, d_m} * {16'd0, d_ldc} + ({16'd0, d_c} + c_elems - {16'd0, d_ldc});
    wire [47:0] vec_bytes_c = {30'd0, n_ct_c, 2'b00} * ARRAY_N;  // padded bias/scale vector
    wire [47:0] bias_end_c = {16'd0, d_bias} + (f_perch ? {vec_bytes_c[46:0], 1'b0} : vec_bytes_c);
    // map bytes per column tile: map_stride_f(n_kb) = ceil(ceil(ceil(K / N) / 8) / W) * W
    // = ceil(K / (8 N W)) * W, one adder before the multiplier instead of three (it differs only
    // where the 16-bit sums wrap, K > 65024, where DIM_TOO_LARGE is the code whatever map_end is)
    wire [15:0] map_units_c = ceil_div16(d_k, MAP_DIV[15:0], LN + 3 + WB);
    wire [31:0] map_bytes_c = ({16'd0, n_ct_c} * {16'd0, map_units_c}) << WB;
    wire [47:0] map_end_c = {16'd0, d_map} + {16'd0, map_bytes_c};
    wire [31:0] vec_bytes = {14'd0, n_ct, 2'b00} * ARRAY_N;      // (the loader's scale offset)
    wire [31:0] map_stride = map_stride_f(n_kb);
    // bytes of one column tile's sparsity map: ceil(n_kb / 8) rounded up to whole beats
    function [31:0] map_stride_f(input [15:0] kb);
        map_stride_f = {{(32-WB){1'b0}}, {WB{1'b0}}} |
                       ((({16'd0, kb} + 32'd7) >> 3) + W - 1) & ~(W - 1);
    endfunction
    // ceil(v / d) for a constant d >= 1: a shift by lg = log2(d) when d is a power of two
    // (ARRAY_N, W, A_PANELS = 4), else a divider. v + d - 1 is formed in 17 bits: in 16 it
    // wrapped for v > 65536 - d (M or N of 65529..65535 with ARRAY_N = 8 gave 0 tiles, and the
    // job ended done without writing C); the quotient fits in 16 bits for every d >= 1.
    function [15:0] ceil_div16(input [15:0] v, input [15:0] d, input integer lg);
        reg [16:0] s;
        /* verilator lint_off UNUSEDSIGNAL */  // q[16] is 0: (65535 + d - 1) / d < 65536
        reg [16:0] q;
        /* verilator lint_on UNUSEDSIGNAL */
        begin
            s = {1'b0, v} + {1'b0, d} - 17'd1;
            q = ((32'd1 << lg) == {16'd0, d}) ? (s >> lg) : (s / {1'b0, d});
            ceil_div16 = q[15:0];
        end
    endfunction
    wire mis = |{d_a[WB-1:0], d_b[WB-1:0], d_c[WB-1:0], d_lda[WB-1:0], d_ldb[WB-1:0],
                 d_ldc[WB-1:0], (f_bias | f_perch) ? d_bias[WB-1:0] : {WB{1'b0}},
                 f_sparse ? d_map[WB-1:0] : {WB{1'b0}}};
    wire strides_bad = (d_lda < {16'd0, d_k}) || (d_ldb < {16'd0, d_n}) || (d_ldc < c_elems[31:0]);
    // the checks that need no extent (phase 0, registered with the ends)
    wire [7:0] early_code =
        (d_m == 16'd0 || d_n == 16'd0 || d_k == 16'd0)          ? E_ZERO_DIM  :
        ({16'd0, d_k} > KMAX)                                     ? E_DIM_TOO_LARGE :
        (f_sparse && d_map == 32'd0)                              ? E_BAD_FLAGS :
        (mis || strides_bad)                                      ? E_MISALIGNED : 8'd0;
    reg  [7:0]  chk_early;
    reg         chk_early_bad;
    reg  [47:0] a_end, b_end, c_end, bias_end, map_end;
    wire [47:0] lim = {16'd0, MEM_BYTES};
    wire range_bad = a_end > lim || b_end > lim || c_end > lim ||
                     ((f_bias | f_perch) && bias_end > lim) || (f_sparse && map_end > lim);
    wire c_overlaps = (d_c < a_end[31:0] && {16'd0, d_a} < c_end) ||
                      (d_c < b_end[31:0] && {16'd0, d_b} < c_end) ||
                      ((f_bias | f_perch) && d_c < bias_end[31:0] && {16'd0, d_bias} < c_end) ||
                      (f_sparse && d_c < map_end[31:0] && {16'd0, d_map} < c_end);
    // phase 1: the decision (state) needs only whether a check failed, not which one
    wire       check_bad  = chk_early_bad || range_bad || c_overlaps;
    wire [7:0] check_code = chk_early_bad ? chk_early :
                            range_bad     ? E_ADDR_RANGE :
                            c_overlaps    ? E_OVERLAP : 8'd0;

    // ================= loader =================
    localparam [3:0] L_IDLE = 4'd0, L_WAIT_A = 4'd1, L_A = 4'd2, L_WAIT_STEP = 4'd3,
                     L_P = 4'd4, L_MAP = 4'd5, L_MAP_WAIT = 4'd6, L_B = 4'd7, L_MARK = 4'd8,
                     L_END = 4'd9, L_DESC = 4'd10;
    reg [3:0]  l_state;
    reg [31:0] l_g;               // step being loaded
    reg [15:0] l_rb, l_jt;
    reg [15:0] l_p, l_c;          // A: panel, chunk
    reg [LN:0] l_r;               // A row within panel / B row within block
    reg [15:0] l_kb;              // B: k-block
    reg [AW-1:0] l_bpos;          // B: next compact entry
    reg [7:0]  l_beat;            // P / MAP beat index
    reg [KB_MAX-1:0] l_map;       // zero-block bits of the column tile
    reg        l_in_run;
    reg [8:0]  l_nruns;

    // step boundaries: rd_issued after each step's loads (so compute knows when a step is in)
    reg [31:0] step_rd_mark [0:2];
    reg [31:0] l_marked;          // steps whose loads are all issued

    // runs of non-zero blocks, two banks: {start block, block count, compact B position}
    reg [15:0]   run_start [0:4*KB_MAX-1];   // index {bank, run}; bank 3 unused
    reg [15:0]   run_len   [0:4*KB_MAX-1];
    reg [AW-1:0] run_bpos  [0:4*KB_MAX-1];
    reg [8:0]    run_count [0:2];
    // B bank / param slot of a step: step index mod 3, kept as counters
    reg [1:0]    l_bank, c_bank_r;

    // compute progress seen by the loader
    reg [31:0] c_g;               // steps whose commands are all accepted
    reg [31:0] c_started;         // steps whose first command was accepted
    reg [31:0] s_g;               // steps whose rows have all left the core (store)

    // read request mux
    reg        lq_valid;
    reg [31:0] lq_addr;
    reg [2:0]  lq_dest;           // 0 A, 1 B, 2 bias, 3 scale, 4 map, 5 desc
    reg [AW-1:0] lq_entry;        // A/B entry, or lane/word index
    reg [WB-1:0] lq_off;          // B: byte offset of the slice in the beat
    reg [4:0]    lq_beats;        // beats of the request (1..16)
    assign rq_valid = lq_valid;
    assign rq_addr  = lq_addr;
    assign rq_beats = lq_beats;

    // destination queue (one entry per outstanding request; dq_beat counts its beats)
    localparam integer DQ_W = 5 + 3 + AW + WB;
    wire           dq_out_valid;
    wire [DQ_W-1:0] dq_out;
    wire           rq_fire = rq_valid && rq_ready;
    wire           rd_fire = rd_valid && rd_ready;
    /* verilator lint_off PINCONNECTEMPTY */  // the read credit is checked with rd_issued/rd_done
    sync_fifo #(.WIDTH(DQ_W), .DEPTH(64)) u_dest_q (
        .clk(clk), .rst(rst || core_rst),
        .in_valid(rq_fire), .in_ready(), .in_data({lq_beats, lq_dest, lq_entry, lq_off}),
        .out_valid(dq_out_valid), .out_ready(rd_fire && dq_end), .out_data(dq_out), .count());
    /* verilator lint_on PINCONNECTEMPTY */
    wire [4:0]    dq_beats = dq_out[DQ_W-1 -: 5];
    wire [2:0]    dq_dest  = dq_out[DQ_W-6 -: 3];
    wire [AW-1:0] dq_base  = dq_out[WB +: AW];
    wire [WB-1:0] dq_off   = dq_out[WB-1:0];
    reg  [4:0]    dq_beat;        // beat of the head request
    wire          dq_end   = (dq_beat == dq_beats - 5'd1);   // its last beat
    // this beat's entry: A: the group's first entry (the transposer counts); else base + beat
    wire [AW-1:0] dq_entry = (dq_dest == 3'd0) ? dq_base : dq_base + {{(AW-5){1'b0}}, dq_beat};

    // the loader may only have 48 beats in flight before a request of up to 16 (63 beats at most:
    // the DMA data FIFO holds 64, so its credit never stops an AR)
    wire rd_room = (rd_issued - rd_done) < 32'd48;
    // beats per request of each kind
    wire [15:0] a_left   = n_kc - l_c;                                  // A words left in a row
    wire [15:0] a_chunks = !read_bursts ? 16'd1 : (a_left < AB16) ? a_left : AB16;
    wire [7:0]  p_req    = read_bursts ? p_beats : 8'd1;               // bias / scale request
    wire [7:0]  map_req  = read_bursts ? map_beats : 8'd1;
    wire [3:0]  desc_req = read_bursts ? DESC_BEATS32[3:0] : 4'd1;
    // B rows of a block are one burst when they follow each other in memory (LDB = bus width)
    wire        b_burst  = read_bursts && (d_ldb == W);

    // row/column helpers
    wire [31:0] l_row_raw = ({16'd0, l_rb} * A_PANELS + {16'd0, l_p}) * ARRAY_N + {{(31-LN){1'b0}}, l_r};
    // Request addresses without a multiply (timing closure, docs/fpga.md): the row addresses
    // d_a + row * LDA, d_b + krow * LDB and d_map + l_jt * map_stride are kept in registers and
    // stepped as the loader moves (same values modulo 2**32 as the products they replace).
    reg  [31:0] l_a_blk, l_a_pan, l_a_row;  // d_a + (row 0 of block l_rb / of panel l_p / row) * LDA
    reg  [31:0] d_a_last;                    // d_a + (M - 1) * LDA: rows past M read the last row
    reg  [31:0] l_b_row;                     // d_b + (l_kb * ARRAY_N + l_r) * LDB
    reg  [8*32-1:0] d_b_skip;                // z * ARRAY_N * LDB for z = 1..8 (zero-block skips)
    reg  [31:0] l_m_col;                     // d_map + l_jt * map_stride
    wire        l_row_past = (l_row_raw >= {16'd0, d_m});   // clamp to the last row
    wire [31:0] l_a_addr = l_row_past ? d_a_last : l_a_row;
    wire [31:0] l_bcol_byte = {16'd0, l_jt} * ARRAY_N;
    wire        l_block_zero = f_sparse && l_map[l_kb[$clog2(KB_MAX)-1:0]];
    // A run of zero blocks is skipped up to the end of its aligned group of 8 in one cycle (not
    // one block per cycle): the trailing ones of the map byte from l_kb on, and never past K.
    // (KB_MAX = KMAX / ARRAY_N must be a multiple of 8.)
    wire [7:0]  l_map_byte = l_map[{l_kb[$clog2(KB_MAX)-1:3], 3'b000} +: 8] >> l_kb[2:0];
    wire [3:0]  l_zrun = trailing_ones8(l_map_byte);
    wire [15:0] l_kb_left = n_kb - l_kb;
    wire [15:0] l_zskip = ({12'd0, l_zrun} < l_kb_left) ? {12'd0, l_zrun} : l_kb_left;
    wire [2:0]  l_zidx = l_zskip[2:0] - 3'd1;   // entry of d_b_skip for a skip of 1..8 blocks
    wire [15:0] l_rows_in_block = ((l_kb * N16 + N16) > d_k) ? (d_k - l_kb * N16) : N16;
    wire [15:0] l_panels = ((l_rb + 16'd1) * AP16 > n_rt) ? (n_rt - l_rb * AP16) : AP16;
    wire [7:0]  p_beats  = P_BEATS32[7:0];             // beats of one bias or scale chunk
    wire [7:0]  map_beats = map_stride[WB+7:WB];

    // previous step fully done (overlap off) / bank free (overlap on)
    // B bank / param slot of step g were last used by step g-3: its commands have all read the
    // bank once step g-2 has started, and its rows (whose drain reads the param slot) are all
    // out once the store has finished step g-3. Three banks let the loads run one step further
    // ahead than two, which matters when loading a step takes as long as computing it (GEMV).
    wire l_bank_free = overlap_enable ? (l_g < 32'd3 || (c_started + 32'd1 >= l_g && s_g + 32'd2 >= l_g))
                                      : (s_g == l_g && c_g == l_g && !core_issuing && s_written);
    wire l_a_free = (c_g >= l_g) && !core_issuing && (overlap_enable || (s_g == l_g && s_written));

    // ================= compute =================
    localparam [1:0] C_IDLE = 2'd0, C_WAIT = 2'd1, C_ISSUE = 2'd2;
    reg [1:0]  c_state;
    reg [15:0] c_it;              // row tile within the block
    reg [8:0]  c_run;
    reg [15:0] c_rb_tiles;        // row tiles in the current block
    reg        c_first_cmd;
    wire [1:0] c_bank = c_bank_r;
    wire [8:0] c_nruns = run_count[c_bank];
    wire [$clog2(4*KB_MAX)-1:0] c_ridx = {c_bank, c_run[$clog2(KB_MAX)-1:0]};
    wire [15:0] c_rstart = run_start[c_ridx];
    wire [15:0] c_rlen   = run_len[c_ridx];
    // run bounds in k (they fit 16 bits: K <= KMAX)
    wire [15:0] c_kbeg   = c_rstart * N16;
    wire [15:0] c_kend_r = (c_rstart + c_rlen) * N16;
    wire [15:0] c_kend   = (c_kend_r > d_k) ? d_k : c_kend_r;
    wire        c_empty  = (c_nruns == 9'd0);
    wire        c_last_run = c_empty || (c_run == c_nruns - 9'd1);
    wire        c_loaded = (l_marked > c_g) && (rd_done >= step_rd_mark[c_bank]) && ta_idle;
    reg  [15:0] c_rb, c_jt;       // position of step c_g

    // The command's buffer bases and K (a run table read, adders, the clamp to K) are registered
    // from the position of the cycle before (timing closure, docs/fpga.md: they fed the core's
    // range checks and its sequencer enables in one cycle). They are current whenever the core
    // can take the command: the position (c_it, c_run, c_bank_r) changes only when a command is
    // accepted (c_it is back to 0 when a step ends, so entering C_ISSUE changes nothing), and
    // the core is never ready in the cycle after it accepted one (its slot counter runs for at
    // least ARRAY_N cycles); c_fresh keeps cmd_valid low in that cycle all the same. The run
    // table of the bank being issued is not written while it is issued (the loader writes it
    // only once the bank is free, and has finished it before c_loaded holds).
    wire [AW-1:0] cmd_a_base_c = c_it[AW-1:0] * KMAX[AW-1:0] + (c_empty ? {AW{1'b0}} : c_kbeg[AW-1:0]);
    wire [AW-1:0] cmd_b_base_c = c_empty ? ZERO_ENTRY
                                         : bank_base(c_bank) + run_bpos[c_ridx];
    wire [15:0]   cmd_k_c      = c_empty ? 16'd1 : (c_kend - c_kbeg);
    reg  [AW-1:0] cmd_a_base_q, cmd_b_base_q;
    reg  [15:0]   cmd_k_q;
    reg           c_fresh;        // 0 in the cycle after a command was accepted
    assign cmd_valid  = (c_state == C_ISSUE) && c_fresh;
    assign cmd_a_base = cmd_a_base_q;
    assign cmd_b_base = cmd_b_base_q;
    assign cmd_k      = cmd_k_q;
    assign cmd_p_addr = c_bank;
    assign cmd_shift  = d_shift;
    assign cmd_flags  = {1'b0, !c_last_run, (c_run != 9'd0), 1'b1, f_relu, out_int8};
    wire   cmd_fire   = cmd_valid && cmd_ready;

    // ================= store =================
    reg [31:0] s_step;            // step of the row being stored
    reg [15:0] s_it;
    reg [LN:0] s_r;
    reg [15:0] s_jt;
    reg [31:0] s_rb;
    reg [3:0]  s_beat, s_nbeats;
    reg [31:WB] s_addr;           // beat-aligned address of the row slice
    reg [8*(4*ARRAY_N+W)-1:0] s_bytes;   // the row slice shifted to its offset in the beats
    reg [4*ARRAY_N+W-1:0]     s_mask;
    wire [31:0] s_row = s_rb * A_PANELS * ARRAY_N + {16'd0, s_it} * ARRAY_N + {{(31-LN){1'b0}}, s_r};
    // the last column tile's width; the end column (s_jt + 1) * ARRAY_N reaches 65536 for
    // N > 65528, so it is compared in 32 bits (the difference is right modulo 2**16)
    wire [15:0] s_cols = (({16'd0, s_jt} + 32'd1) * ARRAY_N > {16'd0, d_n}) ? (d_n - s_jt * N16) : N16;
    wire [31:0] s_len  = out_int8 ? {16'd0, s_cols} : {14'd0, s_cols, 2'b00};
    // d_c + s_row * d_ldc kept in registers, stepped by d_ldc as the store moves down a row
    // (timing closure, docs/fpga.md: no 32 x 32 multiply before the byte shift of s_bytes);
    // same value modulo 2**32 as the product
    reg [31:0] s_row_addr;        // d_c + s_row * d_ldc
    reg [31:0] s_blk_addr;        // d_c + (first row of row block s_rb) * d_ldc
    wire [31:0] s_wa   = s_row_addr + (out_int8 ? {16'd0, s_jt} * ARRAY_N
                                                : {16'd0, s_jt} * ARRAY_N * 4);
    wire [WB-1:0] s_off = s_wa[WB-1:0];
    /* verilator lint_off UNUSEDSIGNAL */  // a row slice spans at most 5 beats: 4 bits suffice
    wire [31:0] s_nbeats_calc = ({{(32-WB){1'b0}}, s_off} + s_len + W - 32'd1) >> WB;
    /* verilator lint_on UNUSEDSIGNAL */
    wire [15:0] s_tiles_in_block = ((s_rb[15:0] + 16'd1) * AP16 > n_rt) ?
                                   (n_rt - s_rb[15:0] * AP16) : AP16;
    // A row is copied into s_bytes and popped from the core in one cycle; its write command and
    // its beats then go out side by side (the DMA takes beats before their command), and the
    // next row is taken in the cycle the last of them is accepted: one row per cycle when a row
    // slice is one beat. The s_* position counters name the row at the head of the core.
    wire s_beats_left = (s_beat != s_nbeats);
    assign wq_valid = (s_state == 2'd1) && !s_cmd_sent;
    assign wq_addr  = {s_addr, {WB{1'b0}}};
    assign wq_beats = s_nbeats;
    assign wd_valid = (s_state == 2'd1) && s_beats_left;
    assign wd_data  = s_bytes[8*W*s_beat +: 8*W];
    assign wd_strb  = s_mask[W*s_beat +: W];
    wire s_cmd_fire  = wq_valid && wq_ready;
    wire s_last_beat = wd_valid && wd_ready && (s_beat == s_nbeats - 4'd1);
    wire s_finish    = (s_state == 2'd1) && (s_cmd_sent || s_cmd_fire) &&
                       (!s_beats_left || s_last_beat);
    wire s_row_valid = (s_row < {16'd0, d_m});   // rows beyond M are popped and dropped
    // An abort lets the row being written finish but takes no new row (the core is reset at
    // the end of the abort): a row taken in the abort's last cycle would be written after busy
    // fell, leaving an AXI write open while the chip reports idle.
    assign res_ready = (state == S_RUN) && (s_state == 2'd0 || s_finish);

    // packed row in the output format
    reg [8*4*ARRAY_N-1:0] row_packed;
    integer j, z;
    always @(*) begin
        row_packed = {8*4*ARRAY_N{1'b0}};
        for (j = 0; j < ARRAY_N; j = j + 1) begin
            if (out_int8) row_packed[8*j +: 8] = res_data[32*j +: 8];
            else          row_packed[32*j +: 32] = res_data[32*j +: 32];
        end
    end

    // ================= read data router =================
    assign ta_valid  = rd_valid && dq_out_valid && (dq_dest == 3'd0);
    assign ta_data   = rd_data;
    assign ta_addr   = dq_entry;
    assign ta_chunks = dq_beats;
    assign rd_ready  = dq_out_valid && ((dq_dest == 3'd0) ? ta_ready : 1'b1);
    assign b_wr_en   = (rd_fire && dq_dest == 3'd1) || zero_wr;
    assign b_wr_addr = zero_wr ? ZERO_ENTRY : dq_entry;
    assign b_wr_data = zero_wr ? {ARRAY_N*8{1'b0}} : rd_data[8*dq_off +: 8*ARRAY_N];
    reg    zero_wr;
    reg [ARRAY_N*32-1:0] p_bias, p_scale;
    reg [1:0] p_slot;
    assign p_wr_addr = p_slot;
    genvar gl;
    generate
        for (gl = 0; gl < ARRAY_N; gl = gl + 1) begin : g_plane
            assign p_wr_data[64*gl +: 64] = {p_scale[32*gl +: 32], p_bias[32*gl +: 32]};
        end
    endgenerate

    // number of consecutive 1 bits from bit 0 up
    function [3:0] trailing_ones8(input [7:0] v);
        integer i;
        reg     run;
        begin
            trailing_ones8 = 4'd0;
            run = 1'b1;
            for (i = 0; i < 8; i = i + 1) begin
                run = run & v[i];
                trailing_ones8 = trailing_ones8 + {3'd0, run};
            end
        end
    endfunction

    // v * z for a constant z < 16 as shifts and adds (no multiplier block for a constant)
    function [31:0] times_small(input [31:0] v, input [3:0] m);
        times_small = (m[0] ? v : 32'd0) + (m[1] ? v << 1 : 32'd0) +
                      (m[2] ? v << 2 : 32'd0) + (m[3] ? v << 3 : 32'd0);
    endfunction

    function [AW-1:0] bank_base(input [1:0] bank);
        bank_base = (bank == 2'd0) ? {AW{1'b0}} : (bank == 2'd1) ? KMAX[AW-1:0] : KMAX2[AW-1:0];
    endfunction
    localparam [31:0] KMAX2 = 2 * KMAX;

    // ================= sequential logic =================
    always @(posedge clk) begin
        if (rst) begin
            state <= S_IDLE; l_state <= L_IDLE; c_state <= C_IDLE; s_state <= 2'd0;
            done_pulse <= 1'b0; error_pulse <= 1'b0; error_code <= 8'd0; core_rst <= 1'b0;
            cnt_total <= 0; cnt_compute <= 0; cnt_stall <= 0; cnt_bytes_rd <= 0;
            cnt_bytes_wr <= 0; cnt_tiles <= 0; cnt_skipped <= 0;
            rd_issued <= 0; rd_done <= 0; wr_issued <= 0; wr_acked <= 0;
            lq_valid <= 1'b0; p_wr_en <= 1'b0; zero_wr <= 1'b0; lq_beats <= 5'd1; dq_beat <= 5'd0;
            l_marked <= 0; c_g <= 0; c_started <= 0; s_g <= 0; aborting_err <= 1'b0;
            d_resv_bad <= 1'b0; d_fetch <= 32'd0; d_count <= 16'd0;
            c_fresh <= 1'b0;
        end else begin
            done_pulse <= 1'b0; error_pulse <= 1'b0; core_rst <= 1'b0; p_wr_en <= 1'b0;
            zero_wr <= 1'b0;
            cmd_a_base_q <= cmd_a_base_c; cmd_b_base_q <= cmd_b_base_c; cmd_k_q <= cmd_k_c;
            c_fresh <= !cmd_fire;
            if (state != S_IDLE) cnt_total <= cnt_total + 32'd1;
            if (rq_fire) rd_issued <= rd_issued + {27'd0, lq_beats};
            if (rd_fire) dq_beat <= dq_end ? 5'd0 : dq_beat + 5'd1;
            if (core_rst) dq_beat <= 5'd0;
            if (rd_fire) begin
                rd_done <= rd_done + 32'd1;
                cnt_bytes_rd <= cnt_bytes_rd + W;
            end

            // START while busy: refused with START_WHILE_BUSY, the running job goes on. Set before
            // the state machine so that an error the job itself ends with in this cycle (a refused
            // descriptor, BAD_CHAIN), set below, keeps its own code; an error abort's reason is kept
            // too. A soft reset in this cycle wins (below), as before.
            if (start && state != S_IDLE && !(soft_reset && state != S_ABORT)) begin
                error_pulse <= 1'b1;
                if (!(state == S_ABORT && aborting_err)) error_code <= E_START_WHILE_BUSY;
            end

            case (state)
                S_IDLE: if (start) begin
                    cnt_total <= 32'd0; cnt_compute <= 32'd0; cnt_stall <= 32'd0;
                    cnt_bytes_rd <= 32'd0; cnt_bytes_wr <= 32'd0; cnt_tiles <= 32'd0;
                    cnt_skipped <= 32'd0;
                    d_next <= chain_enable ? chain_addr : 32'd0;
                    d_fetch <= chain_addr; d_count <= 16'd1;
                    if (chain_enable && (desc_addr_bad(chain_addr) || chain_addr == 32'd0)) begin
                        error_pulse <= 1'b1; error_code <= E_BAD_CHAIN;
                    end else if (chain_enable) begin
                        state <= S_FETCH; fetch_beat <= 4'd0; l_state <= L_DESC;
                    end else begin
                        d_a <= r_a_addr; d_b <= r_b_addr; d_c <= r_c_addr; d_bias <= r_bias_addr;
                        d_map <= r_map_addr; d_m <= r_m; d_n <= r_n; d_k <= r_k;
                        d_lda <= r_lda; d_ldb <= r_ldb; d_ldc <= r_ldc; d_scale <= r_scale;
                        d_shift <= r_shift; d_flags <= r_flags;
                        state <= S_CHECK; chk_phase <= 2'd0;
                    end
                end
                S_FETCH: ;  // the loader reads the descriptor (L_DESC) and moves to S_CHECK
                S_CHECK: begin
                    // phase 0: shape; phase 1: checks (they need the shape); phase 2: run
                    chk_phase <= chk_phase + 2'd1;
                    if (chk_phase == 2'd0) begin
                        n_rt <= ceil_div16(d_m, N16, LN);
                        n_ct <= n_ct_c;
                        n_kb <= ceil_div16(d_k, N16, LN);
                        n_kc <= ceil_div16(d_k, W16, WB);
                        chk_early <= early_code; chk_early_bad <= (early_code != 8'd0);
                        a_end <= a_end_c; b_end <= b_end_c; c_end <= c_end_c;
                        bias_end <= bias_end_c; map_end <= map_end_c;
                    end else if (chk_phase == 2'd1) begin
                        n_steps <= {16'd0, n_rb_calc} * {16'd0, n_ct};
                        d_a_last <= a_end[31:0] - {16'd0, d_k};
                        for (z = 1; z <= 8; z = z + 1)
                            d_b_skip[32*(z-1) +: 32] <= times_small(d_ldb * ARRAY_N, z[3:0]);
                        if (check_bad) begin
                            error_pulse <= 1'b1; error_code <= check_code;
                            state <= S_IDLE;
                        end
                    end else begin
                        state <= S_RUN;
                        l_state <= L_WAIT_A; l_g <= 0; l_rb <= 0; l_jt <= 0;
                        l_a_blk <= d_a; l_m_col <= d_map;
                        l_marked <= 0; c_g <= 0; c_started <= 0; s_g <= 0;
                        c_state <= C_WAIT; c_it <= 0; c_run <= 0; c_first_cmd <= 1'b1;
                        c_rb <= 0; c_jt <= 0; c_bank_r <= 2'd0; l_bank <= 2'd0;
                        s_state <= 2'd0; s_step <= 0; s_it <= 0; s_r <= 0; s_jt <= 0; s_rb <= 0;
                        s_row_addr <= d_c; s_blk_addr <= d_c;
                        zero_wr <= 1'b1;
                    end
                end
                S_RUN: if (s_g == n_steps && s_state == 2'd0 && wr_acked == wr_issued) begin
                    // following NEXT: a bad address, or one descriptor past CHAIN_MAX, stops the
                    // chain (this GEMM is written); same cycle as the plain end, no extra cycle
                    if (d_next != 32'd0 && (desc_addr_bad(d_next) || d_count == CHAIN_MAX16)) begin
                        error_pulse <= 1'b1; error_code <= E_BAD_CHAIN; state <= S_IDLE;
                    end else if (d_next != 32'd0) begin
                        state <= S_FETCH; fetch_beat <= 4'd0; l_state <= L_DESC;
                        d_fetch <= d_next; d_count <= d_count + 16'd1;
                    end else begin
                        state <= S_DONE;
                    end
                end
                S_ABORT: if (rd_issued == rd_done && wr_acked == wr_issued && s_state == 2'd0
                             && !lq_valid) begin
                    core_rst <= 1'b1;
                    state <= S_IDLE; l_state <= L_IDLE; c_state <= C_IDLE;
                    if (aborting_err) error_pulse <= 1'b1;
                end
                S_DONE: begin
                    done_pulse <= 1'b1; state <= S_IDLE;
                end
                default: state <= S_IDLE;
            endcase

            // ---------- start while busy / soft reset / bus errors (win over the above) ----------
            // a soft reset ends the job without done or error, even in its last cycle (S_DONE) or
            // in the cycle its check refuses it: the host's soft reset has cleared STATUS already
            if (soft_reset && state != S_IDLE && state != S_ABORT) begin
                state <= S_ABORT; aborting_err <= 1'b0; done_pulse <= 1'b0; error_pulse <= 1'b0;
            end
            if (rd_fire && rd_error && state != S_ABORT) begin
                state <= S_ABORT; aborting_err <= 1'b1; error_code <= E_AXI_READ_ERROR;
            end
            if (wr_resp && wr_error && state != S_ABORT) begin
                state <= S_ABORT; aborting_err <= 1'b1; error_code <= E_AXI_WRITE_ERROR;
            end
            if (wr_resp) wr_acked <= wr_acked + 32'd1;

            // stall: running, core not issuing, compute waiting for data
            if (state == S_RUN) begin
                if (core_issuing) cnt_compute <= cnt_compute + 32'd1;
                else if (c_state == C_WAIT && !c_loaded && c_g < n_steps) cnt_stall <= cnt_stall + 32'd1;
            end

            // ---------- loader ----------
            if (rq_fire) lq_valid <= 1'b0;
            if (state == S_ABORT) begin
                if (!lq_valid || rq_fire) l_state <= L_IDLE;
            end else if (!lq_valid || rq_fire) begin
                case (l_state)
                    L_DESC: begin  // chain: read the 64-byte descriptor at d_fetch
                        if ({28'd0, fetch_beat} < DESC_BEATS32) begin
                            if (rd_room) begin
                                lq_valid <= 1'b1; lq_addr <= d_fetch + {24'd0, fetch_beat, {WB{1'b0}}};
                                lq_dest <= 3'd5; lq_entry <= {{(AW-4){1'b0}}, fetch_beat}; lq_off <= 0;
                                lq_beats <= {1'b0, desc_req};
                                fetch_beat <= fetch_beat + desc_req;
                            end
                        end else if (rd_issued == rd_done && !lq_valid) begin
                            l_state <= L_IDLE;
                            if (d_resv_bad) begin
                                error_pulse <= 1'b1; error_code <= E_BAD_CHAIN; state <= S_IDLE;
                            end else begin
                                state <= S_CHECK; chk_phase <= 2'd0;
                            end
                        end
                    end
                    L_WAIT_A: if (l_a_free && l_g < n_steps) begin
                        l_p <= 0; l_c <= 0; l_r <= 0;
                        l_a_pan <= l_a_blk; l_a_row <= l_a_blk;
                        l_state <= L_A;
                    end else if (l_g >= n_steps) l_state <= L_END;
                    L_A: if (rd_room) begin
                        lq_valid <= 1'b1;
                        lq_addr  <= l_a_addr + ({16'd0, l_c} << WB);
                        lq_dest  <= 3'd0;
                        lq_entry <= l_p[AW-1:0] * KMAX[AW-1:0] + {l_c[AW-WB-1:0], {WB{1'b0}}};
                        lq_off   <= {WB{1'b0}};
                        lq_beats <= a_chunks[4:0];
                        // rows 0..N-1 of a group of a_chunks words, then the next group, panel
                        if (l_r == ARRAY_N[LN:0] - 1'b1) begin
                            l_r <= 0;
                            if (a_left == a_chunks) begin
                                l_c <= 0;
                                if (l_p == l_panels - 16'd1) l_state <= L_WAIT_STEP;
                                else l_p <= l_p + 16'd1;
                                l_a_pan <= l_a_pan + d_lda * ARRAY_N;
                                l_a_row <= l_a_pan + d_lda * ARRAY_N;
                            end else begin
                                l_c <= l_c + a_chunks;
                                l_a_row <= l_a_pan;
                            end
                        end else begin
                            l_r <= l_r + 1'b1;
                            l_a_row <= l_a_row + d_lda;
                        end
                    end
                    L_WAIT_STEP: if (l_bank_free) begin
                        l_beat <= 0;
                        l_state <= (f_bias || f_perch) ? L_P : (f_sparse ? L_MAP : L_B);
                        // lanes not read from memory: bias 0, scale from the SCALE register
                        if (!f_bias) p_bias <= {ARRAY_N*32{1'b0}};
                        if (!f_perch) p_scale <= {ARRAY_N{d_scale}};
                        if (!(f_bias || f_perch)) begin
                            p_slot <= l_bank; p_wr_en <= 1'b1;
                        end
                        l_kb <= 0; l_r <= 0; l_bpos <= bank_base(l_bank); l_b_row <= d_b;
                        l_in_run <= 1'b0; l_nruns <= 0;
                        l_map <= {KB_MAX{1'b0}};
                    end
                    L_P: if (rd_room) begin
                        // bias beats, then scale beats (per-channel), lane index in lq_entry
                        lq_valid <= 1'b1;
                        if (l_beat < p_beats) begin
                            lq_addr <= d_bias + {16'd0, l_jt} * (4 * ARRAY_N) + {24'd0, l_beat} * W;
                            lq_dest <= f_bias ? 3'd2 : 3'd6;   // 6: bias off: read, not used
                        end else begin
                            lq_addr <= d_bias + vec_bytes + {16'd0, l_jt} * (4 * ARRAY_N)
                                       + {24'd0, l_beat - p_beats} * W;
                            lq_dest <= 3'd3;
                        end
                        lq_entry <= {{(AW-10){1'b0}}, l_bank, (l_beat < p_beats) ? l_beat : l_beat - p_beats};
                        lq_beats <= p_req[4:0];
                        // the flag marks the request holding this step's last parameter beat
                        lq_off <= {{(WB-1){1'b0}}, (l_beat + p_req == (f_perch ? 2 * p_beats : p_beats))};
                        if (l_beat + p_req == (f_perch ? 2 * p_beats : p_beats))
                            l_state <= f_sparse ? L_MAP : L_B;
                        l_beat <= l_beat + p_req;
                        if (l_beat + p_req == (f_perch ? 2 * p_beats : p_beats)) l_beat <= 8'd0;
                    end
                    L_MAP: if (rd_room) begin
                        lq_valid <= 1'b1;
                        lq_addr  <= l_m_col + {24'd0, l_beat} * W;
                        lq_dest  <= 3'd4;
                        lq_entry <= {{(AW-8){1'b0}}, l_beat};
                        lq_off   <= {WB{1'b0}};
                        lq_beats <= map_req[4:0];
                        if (l_beat + map_req == map_beats) l_state <= L_MAP_WAIT;
                        l_beat <= l_beat + map_req;
                    end
                    // the last map request may still sit in lq (not yet counted in rd_issued)
                    L_MAP_WAIT: if (rd_issued == rd_done && !lq_valid) l_state <= L_B;
                    L_B: begin
                        if (l_kb == n_kb) begin
                            run_count[l_bank] <= l_nruns;
                            l_state <= L_MARK;
                        end else if (l_block_zero) begin
                            l_in_run <= 1'b0;
                            l_kb <= l_kb + l_zskip;
                            l_b_row <= l_b_row + d_b_skip[{l_zidx, 5'd0} +: 32];
                            cnt_skipped <= cnt_skipped + {16'd0, l_zskip};
                        end else if (rd_room) begin
                            if (l_r == 0 && !l_in_run) begin   // open a run
                                run_start[{l_bank, l_nruns[$clog2(KB_MAX)-1:0]}] <= l_kb;
                                run_len  [{l_bank, l_nruns[$clog2(KB_MAX)-1:0]}] <= 16'd1;
                                run_bpos [{l_bank, l_nruns[$clog2(KB_MAX)-1:0]}] <=
                                    l_bpos - bank_base(l_bank);
                                l_nruns <= l_nruns + 9'd1;
                                l_in_run <= 1'b1;
                            end else if (l_r == 0) begin
                                run_len[{l_bank, l_nruns[$clog2(KB_MAX)-1:0] - 1'b1}] <=
                                    run_len[{l_bank, l_nruns[$clog2(KB_MAX)-1:0] - 1'b1}] + 16'd1;
                            end
                            lq_valid <= 1'b1;
                            lq_addr  <= l_b_row + {l_bcol_byte[31:WB], {WB{1'b0}}};
                            lq_dest  <= 3'd1;
                            lq_entry <= l_bpos;
                            lq_off   <= l_bcol_byte[WB-1:0];
                            if (b_burst) begin   // the whole block (l_r is 0 here)
                                lq_beats <= l_rows_in_block[4:0];
                                l_bpos   <= l_bpos + l_rows_in_block[AW-1:0];
                                l_kb     <= l_kb + 16'd1;
                                l_b_row  <= l_b_row + d_ldb * ARRAY_N;
                            end else begin
                                lq_beats <= 5'd1;
                                l_bpos   <= l_bpos + 1'b1;
                                l_b_row  <= l_b_row + d_ldb;  // (a block is ARRAY_N rows but the last)
                                if ({{(15-LN){1'b0}}, l_r} == l_rows_in_block - 16'd1) begin
                                    l_r <= 0; l_kb <= l_kb + 16'd1;
                                end else l_r <= l_r + 1'b1;
                            end
                        end
                    end
                    L_MARK: begin
                        step_rd_mark[l_bank] <= rd_issued + (lq_valid ? {27'd0, lq_beats} : 32'd0);
                        l_bank <= (l_bank == 2'd2) ? 2'd0 : l_bank + 2'd1;
                        l_marked <= l_g + 32'd1;
                        l_g <= l_g + 32'd1;
                        if (l_jt == n_ct - 16'd1) begin
                            l_jt <= 0; l_rb <= l_rb + 16'd1;
                            l_state <= L_WAIT_A;
                            l_m_col <= d_map;
                            l_a_blk <= l_a_blk + d_lda * (A_PANELS * ARRAY_N);
                        end else begin
                            l_jt <= l_jt + 16'd1;
                            l_state <= L_WAIT_STEP;
                            l_m_col <= l_m_col + map_stride;
                        end
                    end
                    default: ;
                endcase
            end

            // ---------- read data router: bias / scale / map / descriptor beats ----------
            if (rd_fire) begin
                case (dq_dest)
                    3'd2, 3'd3: begin : p_beat
                        integer q;
                        for (q = 0; q < W / 4; q = q + 1) begin
                            if (dq_dest == 3'd2) p_bias [32*(dq_entry[7:0]*(W/4) + q) +: 32] <= rd_data[32*q +: 32];
                            else                 p_scale[32*(dq_entry[7:0]*(W/4) + q) +: 32] <= rd_data[32*q +: 32];
                        end
                        if (dq_off[0] && dq_end) begin  // last beat of this step's params
                            p_wr_en <= 1'b1; p_slot <= dq_entry[9:8];
                        end
                    end
                    3'd6: if (dq_off[0] && dq_end) begin  // scale-only step: bias lanes stay zero
                        p_wr_en <= 1'b1; p_slot <= dq_entry[9:8];
                    end
                    // the map beat dq_entry[7:0] holds bits [W*8*entry, W*8*(entry+1)) of l_map;
                    // written bit by bit: Verilator 5.048 stops with an internal error (V3EmitC,
                    // "Wide op EXTEND") on the variable part-select when a beat is wider than 64
                    // bits (BUS_W = 128). Same bits, same logic.
                    3'd4: begin : map_beat
                        integer q;
                        for (q = 0; q < KB_MAX; q = q + 1)
                            if (q / (W * 8) == {24'd0, dq_entry[7:0]}) l_map[q] <= rd_data[q % (W * 8)];
                    end
                    3'd5: begin : desc_beat
                        integer q;
                        for (q = 0; q < W / 4; q = q + 1)
                            desc_word(dq_entry[3:0] * (W / 4) + q, rd_data[32*q +: 32]);
                    end
                    default: ;
                endcase
            end

            // ---------- compute ----------
            if (state == S_ABORT) c_state <= C_IDLE;
            else case (c_state)
                C_WAIT: if (c_g < n_steps && c_loaded) begin
                    c_state <= C_ISSUE; c_it <= 0; c_run <= 0; c_first_cmd <= 1'b1;
                    c_rb_tiles <= ((c_rb + 16'd1) * AP16 > n_rt) ? (n_rt - c_rb * AP16) : AP16;
                end
                C_ISSUE: if (cmd_fire) begin
                    if (c_first_cmd) c_started <= c_g + 32'd1;
                    c_first_cmd <= 1'b0;
                    if (c_last_run) begin
                        c_run <= 0;
                        cnt_tiles <= cnt_tiles + 32'd1;
                        if (c_it == c_rb_tiles - 16'd1) begin
                            c_it <= 16'd0;   // (C_WAIT's position is the next step's first)
                            c_g <= c_g + 32'd1;
                            c_bank_r <= (c_bank_r == 2'd2) ? 2'd0 : c_bank_r + 2'd1;
                            c_state <= C_WAIT;
                            if (c_jt == n_ct - 16'd1) begin
                                c_jt <= 16'd0; c_rb <= c_rb + 16'd1;
                            end else c_jt <= c_jt + 16'd1;
                        end else c_it <= c_it + 16'd1;
                    end else c_run <= c_run + 9'd1;
                end
                default: ;
            endcase

            // ---------- store ----------
            if (wq_valid && wq_ready) wr_issued <= wr_issued + 32'd1;
            if (s_cmd_fire) s_cmd_sent <= 1'b1;
            if (wd_valid && wd_ready) s_beat <= s_beat + 4'd1;
            if (s_finish) s_state <= 2'd0;
            if (res_valid && res_ready) begin
                s_advance();
                if (s_row_valid) begin
                    s_addr     <= s_wa[31:WB];
                    s_nbeats   <= s_nbeats_calc[3:0];
                    s_bytes    <= {{(8*W){1'b0}}, row_packed} << (8 * s_off);
                    s_mask     <= (({{W{1'b0}}, {(4*ARRAY_N){1'b1}}} >> (4*ARRAY_N - s_len)) << s_off);
                    s_beat     <= 4'd0;
                    s_cmd_sent <= 1'b0;
                    s_state    <= 2'd1;
                    cnt_bytes_wr <= cnt_bytes_wr + s_len;
                end
            end
        end
    end


    // next row position of the store engine (rows come out in issue order)
    // (s_row_addr follows s_row: the next row, or back to the block's first row for the next
    // column tile, or the next block's first row)
    task s_advance;
        begin
            s_row_addr <= s_row_addr + d_ldc;
            if (s_r == ARRAY_N[LN:0] - 1'b1) begin
                s_r <= 0;
                if (s_it == s_tiles_in_block - 16'd1) begin
                    s_it <= 0;
                    s_g <= s_step + 32'd1;
                    s_step <= s_step + 32'd1;
                    if (s_jt == n_ct - 16'd1) begin
                        s_jt <= 0; s_rb <= s_rb + 32'd1;
                        s_row_addr <= s_blk_addr + d_ldc * (A_PANELS * ARRAY_N);
                        s_blk_addr <= s_blk_addr + d_ldc * (A_PANELS * ARRAY_N);
                    end else begin
                        s_jt <= s_jt + 16'd1;
                        s_row_addr <= s_blk_addr;
                    end
                end else s_it <= s_it + 16'd1;
            end else s_r <= s_r + 1'b1;
        end
    endtask

    // descriptor layout in memory (docs/chip.md): 16 words
    // A chain descriptor is 16 words in the order of the descriptor registers (rtl/regmap.json
    // "descriptor_word"): word 5 is NEXT, word 15 is reserved and must be 0.
    task desc_word(input integer idx, input [31:0] v);
        begin
            case (idx)
                0: d_a <= v;  1: d_b <= v;  2: d_c <= v;  3: d_bias <= v;  4: d_map <= v;
                5: d_next <= v;
                6: d_m <= v[15:0];  7: d_n <= v[15:0];  8: d_k <= v[15:0];
                9: d_lda <= v;  10: d_ldb <= v;  11: d_ldc <= v;  12: d_scale <= v;
                13: d_shift <= v[5:0];  14: d_flags <= v[4:0];
                15: d_resv_bad <= (v != 32'd0);
                default: ;
            endcase
        end
    endtask
endmodule
`default_nettype wire
