`default_nettype none
// Properties of rtl/gemm_controller.v (the tiling controller) with every other block of the
// chip (DMA reader and writer, gemm_core, a_transposer) replaced by free inputs that keep only
// the handshake rules those blocks keep (assumed below, each with the reason the real block
// keeps it). Small parameters (tb/formal/gemm_controller.sby, chparam): ARRAY_N 2, BUS_W 32,
// KMAX 64, A_PANELS 16, MEM_BYTES 256, CHAIN_MAX 4. Bounded model checks from reset.
//
//   (a) no write outside C: every accepted write command lies inside the (beat-rounded) C
//       region of the descriptor latched at START, and every byte a write strobe enables lies
//       inside C, in the used part of its row (not in the LDC padding after a row);
//   (b) abort bound: after a soft reset or a bus error, no new work is issued and busy falls
//       within B cycles when the environment answers within L cycles (L, B below);
//       nothing is left open when busy is low;
//   (c) busy / done / error: done and error pulses only while busy (and together only in the
//       documented START_WHILE_BUSY case), busy rises only on a start, a start while busy does
//       not restart (the descriptor in use stays the one latched at START) and is reported.
//
// Descriptor-register runs only (chain_enable = 0 is assumed): a chained descriptor comes from
// memory, which these checks do not model. With -DFREE_CORE (task `store`) the core's result
// rows are free at any time (an over-approximation of the core that reaches the store engine
// in a few cycles, used for (a) only); without it (tasks `ctrl`, `cover`) the core gives
// ARRAY_N rows per emitting command, which (b) and (c) need (rows before any command would
// let a run end with reads still in flight, which the real core cannot cause).
module gemm_controller_props (
    input wire        clk,
    input wire        rst,
    input wire        start,
    input wire        soft_reset,
    input wire        overlap_enable,
    input wire        chain_enable,
    input wire        read_bursts,
    input wire [31:0] chain_addr,
    input wire [31:0] r_a_addr, r_b_addr, r_c_addr, r_bias_addr, r_map_addr,
    input wire [15:0] r_m, r_n, r_k,
    input wire [31:0] r_lda, r_ldb, r_ldc, r_scale,
    input wire [5:0]  r_shift,
    input wire [4:0]  r_flags,
    input wire        rq_ready,
    input wire        rd_valid,
    input wire [31:0] rd_data,
    input wire        rd_error,
    input wire        wq_ready,
    input wire        wd_ready,
    input wire        wr_resp,
    input wire        wr_error,
    input wire        cmd_ready,
    input wire        res_valid,
    input wire [63:0] res_data,
    input wire        core_issuing,
    input wire        ta_ready,
    input wire        ta_idle,
    input wire [1:0]  f_row          // free: the row the strobe check looks at (any row; M < 4)
);
    localparam integer N = 2, W = 4, AW = 10;
    localparam integer L = 2;         // environment answer time (cycles), see (b)
    localparam [7:0] E_START_WHILE_BUSY = 8'd6;

    wire        busy, done_pulse, error_pulse, core_rst;
    wire [7:0]  error_code;
    wire [31:0] cnt_total, cnt_compute, cnt_stall, cnt_bytes_rd, cnt_bytes_wr, cnt_tiles, cnt_skipped;
    wire        rq_valid, rd_ready, wq_valid, wd_valid, cmd_valid, res_ready, b_wr_en, p_wr_en;
    wire        ta_valid;
    wire [31:0] rq_addr, wq_addr, wd_data, ta_data;
    wire [4:0]  rq_beats, ta_chunks;
    wire [3:0]  wq_beats, wd_strb;
    wire [AW-1:0] cmd_a_base, cmd_b_base, b_wr_addr, ta_addr;
    wire [15:0] cmd_k;
    wire [1:0]  cmd_p_addr, p_wr_addr;
    wire [5:0]  cmd_shift, cmd_flags;
    wire [15:0] b_wr_data;
    wire [127:0] p_wr_data;
    // exposed internals (tb/formal/gemm_controller.sby): the top state and the descriptor in use
    wire [2:0]  x_state;
    wire [31:0] x_d_c, x_d_ldc;
    wire [15:0] x_d_m, x_d_n;
    wire [4:0]  x_d_flags;

    gemm_controller dut (
        .clk(clk), .rst(rst), .start(start), .soft_reset(soft_reset),
        .overlap_enable(overlap_enable), .chain_enable(chain_enable), .read_bursts(read_bursts),
        .chain_addr(chain_addr), .r_a_addr(r_a_addr), .r_b_addr(r_b_addr), .r_c_addr(r_c_addr),
        .r_bias_addr(r_bias_addr), .r_map_addr(r_map_addr), .r_m(r_m), .r_n(r_n), .r_k(r_k),
        .r_lda(r_lda), .r_ldb(r_ldb), .r_ldc(r_ldc), .r_scale(r_scale), .r_shift(r_shift),
        .r_flags(r_flags),
        .busy(busy), .done_pulse(done_pulse), .error_pulse(error_pulse), .error_code(error_code),
        .cnt_total(cnt_total), .cnt_compute(cnt_compute), .cnt_stall(cnt_stall),
        .cnt_bytes_rd(cnt_bytes_rd), .cnt_bytes_wr(cnt_bytes_wr), .cnt_tiles(cnt_tiles),
        .cnt_skipped(cnt_skipped),
        .rq_valid(rq_valid), .rq_ready(rq_ready), .rq_addr(rq_addr), .rq_beats(rq_beats),
        .rd_valid(rd_valid), .rd_ready(rd_ready), .rd_data(rd_data), .rd_error(rd_error),
        .wq_valid(wq_valid), .wq_ready(wq_ready), .wq_addr(wq_addr), .wq_beats(wq_beats),
        .wd_valid(wd_valid), .wd_ready(wd_ready), .wd_data(wd_data), .wd_strb(wd_strb),
        .wr_resp(wr_resp), .wr_error(wr_error),
        .core_rst(core_rst), .cmd_valid(cmd_valid), .cmd_ready(cmd_ready),
        .cmd_a_base(cmd_a_base), .cmd_b_base(cmd_b_base), .cmd_k(cmd_k),
        .cmd_p_addr(cmd_p_addr), .cmd_shift(cmd_shift), .cmd_flags(cmd_flags),
        .res_valid(res_valid), .res_ready(res_ready), .res_data(res_data),
        .core_issuing(core_issuing), .b_wr_en(b_wr_en), .b_wr_addr(b_wr_addr),
        .b_wr_data(b_wr_data), .p_wr_en(p_wr_en), .p_wr_addr(p_wr_addr), .p_wr_data(p_wr_data),
        .ta_valid(ta_valid), .ta_ready(ta_ready), .ta_data(ta_data), .ta_addr(ta_addr),
        .ta_chunks(ta_chunks), .ta_idle(ta_idle),
        .state(x_state), .d_c(x_d_c), .d_ldc(x_d_ldc), .d_m(x_d_m), .d_n(x_d_n),
        .d_flags(x_d_flags));

    reg f_past_valid = 1'b0;
    always @(posedge clk) f_past_valid <= 1'b1;
    // one reset at the start (the chip's reset; a later one restarts every count below)
    always @(*) assume(rst == !f_past_valid);
    wire f_run = f_past_valid && !rst;

    wire rq_fire = rq_valid && rq_ready, rd_fire = rd_valid && rd_ready;
    wire wq_fire = wq_valid && wq_ready, wd_fire = wd_valid && wd_ready;
    wire cmd_fire = cmd_valid && cmd_ready, res_fire = res_valid && res_ready;

    // ================= environment (assumed) =================
    // Descriptor registers only: chained descriptors come from memory (not modelled here).
    always @(*) assume(!chain_enable);
    // Small descriptors keep the solver's arithmetic small (a restriction of the check, not of
    // the environment): dimensions below 4 (up to 2 x 2 tiles), strides below 32, addresses
    // below MEM_BYTES (256; the controller's own range check refuses larger ones).
    always @(*) assume(r_m < 16'd4 && r_n < 16'd4 && r_k < 16'd4);
    always @(*) assume(r_lda < 32'd32 && r_ldb < 32'd32 && r_ldc < 32'd32);
    always @(*) assume(r_a_addr < 32'd256 && r_b_addr < 32'd256 && r_c_addr < 32'd256 &&
                       r_bias_addr < 32'd256 && r_map_addr < 32'd256);

    // Read side: the DMA reader returns the beats of the requests it accepted, in order, one
    // per rd handshake (rtl/dma_reader.v: out_valid only for a burst it issued; the beats
    // outstanding are counted here), and never a beat nobody asked for. rq_ready, rd_data and
    // rd_error are free (any RRESP on any beat).
    reg [7:0] f_rd_req = 0, f_rd_got = 0;     // beats requested / delivered (mod 256)
    wire [7:0] f_rd_out = f_rd_req - f_rd_got;
    always @(posedge clk) if (rst) begin f_rd_req <= 0; f_rd_got <= 0; end else begin
        f_rd_req <= f_rd_req + (rq_fire ? {3'd0, rq_beats} : 8'd0);
        f_rd_got <= f_rd_got + rd_fire;
    end
    always @(*) if (rd_valid) assume(f_rd_out != 8'd0);

    // Write side: rtl/dma_writer.v takes commands and beats (wq_ready, wd_ready free) and its
    // `done` (the controller's wr_resp) is the B response of a command, given after the AW and
    // the last W of that command's bursts: at most one per accepted command, and only once the
    // command and all its beats were taken (counted below as finished slices).
    reg [3:0] f_wq = 0, f_wr = 0, f_wsl = 0;  // commands accepted / answered / slices finished
    always @(*) if (wr_resp) assume(f_wr != f_wsl);

    // Core: with FREE_CORE result rows come at any time (any number). Otherwise gemm_core
    // emits ARRAY_N rows per accepted command without no_emit (cmd_flags[4]), in order, and
    // forgets them when reset (core_rst): res_valid only for rows owed. cmd_ready, res_data,
    // core_issuing, ta_ready, ta_idle are free.
    reg [7:0] f_owed = 0;
    always @(posedge clk) if (rst || core_rst) f_owed <= 0;
        else f_owed <= f_owed + ((cmd_fire && !cmd_flags[4]) ? N[7:0] : 8'd0) - res_fire;
`ifndef FREE_CORE
    always @(*) if (res_valid) assume(f_owed != 8'd0);
`endif

    // (b) the environment answers within L cycles (a memory and a core that keep up):
    // a read request presented is accepted by its L-th cycle; while read beats are owed, the
    // next one is delivered (and, for an A beat, taken by the transposer) within L cycles; a
    // write command and a write beat presented are taken by their L-th cycle; a B response
    // owed comes within L cycles.
    reg [3:0] f_w_rq = 0, f_w_rd = 0, f_w_wq = 0, f_w_wd = 0, f_w_b = 0;  // waiting streaks
    always @(posedge clk) if (rst) begin
        f_w_rq <= 0; f_w_rd <= 0; f_w_wq <= 0; f_w_wd <= 0; f_w_b <= 0;
    end else begin
        f_w_rq <= (rq_valid && !rq_ready) ? f_w_rq + 4'd1 : 4'd0;
        f_w_rd <= (f_rd_out != 0 && !rd_fire) ? f_w_rd + 4'd1 : 4'd0;
        f_w_wq <= (wq_valid && !wq_ready) ? f_w_wq + 4'd1 : 4'd0;
        f_w_wd <= (wd_valid && !wd_ready) ? f_w_wd + 4'd1 : 4'd0;
        f_w_b  <= (f_wsl != f_wr && !wr_resp) ? f_w_b + 4'd1 : 4'd0;
    end
`ifndef FREE_CORE
    always @(*) begin
        if (rq_valid && f_w_rq >= L - 1) assume(rq_ready);
        if (f_rd_out != 0 && f_w_rd >= L - 1) assume(rd_valid && (!ta_valid || ta_ready));
        if (wq_valid && f_w_wq >= L - 1) assume(wq_ready);
        if (wd_valid && f_w_wd >= L - 1) assume(wd_ready);
        if (f_wsl != f_wr && f_w_b >= L - 1) assume(wr_resp);
    end
`endif

    // ================= the descriptor of the run (latched here at an accepted START) ===========
    reg [31:0] f_c = 0, f_ldc = 0;
    reg [15:0] f_m = 0, f_n = 0;
    reg        f_int8 = 0, f_started = 0;
    always @(posedge clk) if (!rst && start && !busy) begin
        f_c <= r_c_addr; f_ldc <= r_ldc; f_m <= r_m; f_n <= r_n; f_int8 <= r_flags[0];
        f_started <= 1'b1;
    end
    // C region: [f_c, f_c + (M-1)*LDC + row bytes), row bytes = N (int8) or 4N (int32), in 48
    // bits (16-bit M times 32-bit LDC: exact, no wrap)
    wire [47:0] f_rowb  = f_int8 ? {32'd0, f_n} : {30'd0, f_n, 2'b00};
    wire [47:0] f_c_end = {16'd0, f_c} + ({32'd0, f_m} - 48'd1) * {16'd0, f_ldc} + f_rowb;
    wire [47:0] f_c_end_up = (f_c_end + 48'd3) & ~48'd3;   // rounded up to the beat
    // start of row f_row (the free row the strobe check looks at) relative to C
    wire [47:0] f_rb = {46'd0, f_row} * {16'd0, f_ldc};

    // ================= write slices as they go out (command and beats, in either order) =======
    // The slice in progress: its command accepted (f_acc: address and beats latched) or still
    // presented; f_bidx beats of it taken.
    reg        f_acc = 0;
    reg [31:0] f_sa = 0;
    reg [3:0]  f_sb = 0, f_bidx = 0;
    wire [31:0] cur_addr  = f_acc ? f_sa : wq_addr;
    wire [3:0]  cur_beats = f_acc ? f_sb : wq_beats;
    wire        beats_done_now = (f_bidx + wd_fire == cur_beats);
    wire        slice_end = (f_acc || wq_fire) && beats_done_now;
    always @(posedge clk) if (rst) begin
        f_acc <= 0; f_bidx <= 0; f_wq <= 0; f_wr <= 0; f_wsl <= 0;
    end else begin
        f_wq <= f_wq + wq_fire;
        f_wr <= f_wr + wr_resp;
        f_wsl <= f_wsl + slice_end;
        if (slice_end) begin f_acc <= 1'b0; f_bidx <= 0; end
        else begin
            if (wq_fire) begin f_acc <= 1'b1; f_sa <= wq_addr; f_sb <= wq_beats; end
            if (wd_fire) f_bidx <= f_bidx + 4'd1;
        end
    end

    // ================= (a) no write outside C =================
    wire [31:0] f_ba = cur_addr + {26'd0, f_bidx, 2'b00};   // address of the beat presented
    function in_row(input [31:0] x);   // byte x in C and, if in row f_row's LDC window, in its used part
        reg [47:0] off;
        begin
            off = {16'd0, x} - {16'd0, f_c};
            in_row = (x >= f_c) && ({16'd0, x} < f_c_end) &&
                     (!({14'd0, f_row} < f_m && off >= f_rb && off < f_rb + {16'd0, f_ldc}) ||
                      off - f_rb < f_rowb);
        end
    endfunction
    always @(*) if (f_run) begin
        // writes only while busy, for a run started with a descriptor
        if (wq_valid || wd_valid) assert(busy && f_started);
        if (wq_valid) begin
            // the command's beats [wq_addr, wq_addr + beats*W) inside C (rounded up to the beat:
            // the last beat of a row may hold bytes past C's end, not enabled, below)
            assert(wq_beats != 4'd0 && wq_addr[1:0] == 2'b00);
            assert(wq_addr >= f_c);
            assert({16'd0, wq_addr} + {42'd0, wq_beats, 2'b00} <= f_c_end_up);
        end
        // a beat only for the slice whose command is accepted or presented, never past its beats
        if (wd_valid) assert(f_acc || wq_valid);
        if (wd_valid) assert(f_bidx < cur_beats);
        // one slice at a time: no second command before the first one's beats are all out
        if (wq_valid) assert(!f_acc);
    end
    // every byte a strobe enables lies in C, in the used part of a row
    genvar gb;
    generate for (gb = 0; gb < W; gb = gb + 1) begin : g_strb
        always @(*) if (f_run && wd_valid && wd_strb[gb]) assert(in_row(f_ba + gb));
    end endgenerate
    // handshakes: a write command / beat presented stays until taken, unchanged
    always @(posedge clk) if (f_run && f_past_valid && !$past(rst)) begin
        if ($past(wq_valid && !wq_ready)) assert(wq_valid && $stable(wq_addr) && $stable(wq_beats));
        if ($past(wd_valid && !wd_ready)) assert(wd_valid && $stable(wd_data) && $stable(wd_strb));
        if ($past(rq_valid && !rq_ready)) assert(rq_valid && $stable(rq_addr) && $stable(rq_beats));
    end

`ifndef FREE_CORE
    // ================= (b) abort bound =================
    // An abort starts in the cycle the controller sees a soft reset while busy, or a read beat
    // with an error, or a write response with an error (rtl/gemm_controller.v, "start while
    // busy / soft reset / bus errors"). From the next cycle (the first of S_ABORT) the work
    // still to come is counted from the ports: a request presented (Q) and its beats, the
    // read beats owed (R), a write command presented (CP), the write beats left (NB) and the
    // B responses owed (Wo). Each is answered within L cycles of the previous answer at most,
    // and S_ABORT leaves one cycle after the last: B = L * (Q + R + CP + NB + Wo) + 1.
    wire f_trig = busy && (soft_reset || (rd_fire && rd_error) || (wr_resp && wr_error));
    reg  f_ab = 1'b0, f_ab_first = 1'b0, f_ab_rd = 1'b0;   // f_ab_rd: beats owed at the trigger
    reg [8:0] f_budget = 0;
    // f_work: the request presented and its beats, the beats owed, the write command
    // presented and its B response, the beats left of the slice, the B responses owed.
    wire [8:0] f_work = (rq_valid ? 9'd1 + {4'd0, rq_beats} : 9'd0) + {1'd0, f_rd_out}
                      + (wq_valid ? 9'd2 : 9'd0) + (wd_valid ? {5'd0, cur_beats - f_bidx} : 9'd0)
                      + {5'd0, f_wq - f_wr};
    always @(posedge clk) if (rst) begin f_ab <= 0; f_ab_first <= 0; end else begin
        f_ab_first <= 1'b0;
        if (!busy) f_ab <= 1'b0;
        else if (!f_ab && f_trig) begin
            f_ab <= 1'b1; f_ab_first <= 1'b1; f_ab_rd <= (f_rd_out > {7'd0, rd_fire});
        end
        // set in the first abort cycle, counted down from the next one: busy must be low by
        // the cycle it would reach 0, i.e. within B = L * work + 1 cycles of the first one
        if (f_ab_first) f_budget <= L * f_work;
        else if (f_ab && f_budget != 0) f_budget <= f_budget - 9'd1;
    end
    always @(*) if (f_run && f_ab) begin
        // the controller is in its abort (S_ABORT) from the cycle after the trigger
        assert(x_state == 3'd4 || !busy);
        // busy falls within the bound
        if (!f_ab_first && busy) assert(f_budget != 0);
    end
    // no new work from the second abort cycle on: no read request and no write command that
    // was not already presented (one issued in the trigger cycle shows in the first)
    always @(posedge clk) if (f_run && f_ab && !f_ab_first) begin
        assert(!(rq_valid && !$past(rq_valid && !rq_ready)));
        assert(!(wq_valid && !$past(wq_valid && !wq_ready)));
    end
    // idle leaves nothing open: no request or write presented, every read beat delivered,
    // every write answered, no core command presented
    always @(*) if (f_run && !busy)
        assert(!rq_valid && !wq_valid && !wd_valid && f_rd_out == 0 && f_wq == f_wr && !cmd_valid);

    // ================= (c) busy / done / error =================
    always @(posedge clk) if (f_run && f_past_valid && !$past(rst)) begin
        // done and error pulses only for a run that was busy
        if (done_pulse) assert($past(busy));
        if (error_pulse) assert($past(busy));
        // never together, except a START while busy in the run's last cycle: docs/registers.md
        // STATUS "START_WHILE_BUSY does not stop the run, which then ends with both"
        if (done_pulse && error_pulse) assert($past(start) && error_code == E_START_WHILE_BUSY);
        // busy rises only on a start
        if (busy && !$past(busy)) assert($past(start));
        // a start while busy is dropped and reported (soft reset wins over it); the code is
        // START_WHILE_BUSY unless the job's own error takes it: an AXI error (8, 9: the abort's
        // reason, of this cycle or pending) or the check's refusal of this cycle (busy falls)
        if ($past(start && busy && !soft_reset)) begin
            assert(error_pulse);
            if (error_code != E_START_WHILE_BUSY)
                assert(error_code == 8'd8 || error_code == 8'd9 || (!busy && $past(x_state) == 3'd2));
        end
        // a refused descriptor reports its own code, never START_WHILE_BUSY over it (the bug
        // the cover below found: a START in the refusal cycle overwrote the code)
        if (error_pulse && !busy && $past(x_state) == 3'd2) assert(error_code != E_START_WHILE_BUSY);
        // a soft reset seen while busy ends the job without a done (even in its S_DONE cycle)
        if ($past(soft_reset && busy)) assert(!done_pulse);
    end
    // no new run while busy: the descriptor in use stays the one latched at the accepted START
    always @(*) if (f_run && busy)
        assert(x_d_c == f_c && x_d_ldc == f_ldc && x_d_m == f_m && x_d_n == f_n &&
               x_d_flags[0] == f_int8);
`endif

    // ================= reachability =================
    always @(posedge clk) if (f_run) begin
        cover(wq_fire);                                            // a write command
        cover(wd_fire && wd_strb != 4'hF && wd_strb != 4'h0);      // a partial beat
        cover(f_wq == 4'd3);                                       // three row slices
`ifndef FREE_CORE
        cover(f_past_valid && $past(f_ab) && !f_ab && f_wq != 0);  // an abort ends, after writes
        // a read error abort that drained further read beats
        cover(f_past_valid && $past(f_ab) && !f_ab && f_ab_rd && error_code == 8'd8);
        cover(done_pulse);                                          // a run completes
`endif
    end
endmodule
`default_nettype wire
