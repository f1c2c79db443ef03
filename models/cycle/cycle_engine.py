"""Cycle-stepped engine model of one GEMM on the whole chip (docs/cycle_model.md).

``engine_cycles`` steps, cycle by cycle and without data, the control state of
``rtl/gemm_controller.v`` (loader, compute and store engines, the 48-beat read credit, the three B
banks), ``rtl/a_transposer.v``, the issue slots, result credits and drain pipeline of
``rtl/gemm_core.v``, and the chip's memory path: ``rtl/dma_reader.v`` (one command per
controller request of 1..16 beats, split into INCR bursts at 4 KB pages, the 32-entry burst-info
FIFO, the data FIFO), ``rtl/dma_writer.v`` (one burst per C row slice, split at 4 KB pages, its
data FIFO, at most 32 bursts awaiting B, ``done`` on the last B) and, through
``models/cycle/mem_timing.py`` (the only place memory timing lives, so a DRAM model can be plugged
in), the AXI memory model ``tb/hdl/axi_mem_model.v`` (read latency from AR to R, write latency
from the last W beat to B, one beat per cycle and direction, ``beat_gap`` idle cycles after each
beat; random stalls are not modelled). It returns the controller's counters (``cnt_total`` =
the chip's PERF_CYCLES ...). No constant is fitted: every delay is a register stage of the RTL,
named where it is used.

One function of ~430 lines (the file ~470) on purpose: its locals are the RTL's registers,
updated in the order the RTL's always blocks see them within a cycle; split into functions, every
register would have to be passed or kept in an object, and the per-cycle loop (the model's
speed) would slow down.
"""

from __future__ import annotations

from collections import deque

from models.cycle.mem_timing import IdealMemory, MemTiming

KMAX = 2048  # rtl/gemm_controller.v default: largest K
A_PANELS = 4  # row tiles per row block
DQ_CREDIT = 48  # beats the controller's loader may have in flight
RD_OUTSTANDING = 32  # dma_reader: bursts in flight (burst-info FIFO depth)
RD_MAX_BURST = 16  # dma_reader MAX_BURST (csai_chip)
WR_OUTSTANDING = 32  # dma_writer: bursts awaiting B
WR_MAX_BURST = 16  # dma_writer MAX_BURST (csai_chip)

F_INT8, F_RELU, F_BIAS, F_PERCH, F_SPARSE = 1, 2, 4, 8, 16
# the loader's states as the engine numbers them (the RTL's l_state names, L_DESC aside)
LOADER_STATES = ("wait_a", "a", "wait_step", "param", "map", "map_wait", "b", "mark", "end")
# the counters engine_cycles returns, named as the controller's cnt_* outputs (PERF_* registers)
COUNTERS = ("total", "compute", "stall", "bytes_rd", "bytes_wr", "tiles", "skipped")


def engine_cycles(
    m: int,
    n: int,
    k: int,
    *,
    array_n: int = 8,
    bus_w_bytes: int = 8,
    read_latency: int = 20,
    write_latency: int = 20,
    beat_gap: int = 0,
    flags: int = F_INT8,
    overlap: bool = True,
    zero_blocks: set[tuple[int, int]] | None = None,
    c_addr: int = 0,
    ldc: int | None = None,
    a_panels: int = A_PANELS,
    kmax: int = KMAX,
    read_bursts: bool = True,
    addrs: dict[str, int] | None = None,
    mem: MemTiming | None = None,
    loader_idle: dict[str, int] | None = None,
) -> dict[str, int]:
    """Counters of one GEMM from START to done: total, compute, stall, bytes_rd, bytes_wr, tiles,
    skipped. ``zero_blocks``: the (k-block, column tile) pairs the sparsity map marks zero (used
    only with ``F_SPARSE``). ``read_latency`` / ``write_latency``: the memory model's
    ``cfg_rd_latency`` (AR accepted to first R) and ``cfg_wr_latency`` (last W beat to B);
    ``beat_gap``: its ``cfg_beat_gap``. ``c_addr`` / ``ldc``: where C lies (they decide which row
    slices cross a 4 KB page and become two bursts); ``ldc`` defaults to the packed, bus-aligned
    row stride. ``read_bursts``: CTRL.read_bursts. ``addrs``: where A, B, bias/scale and the map
    lie (keys a, lda, b, ldb, bias, map: they decide which read bursts cross a 4 KB page and
    whether B blocks are bursts), by default 4 KB-aligned with A rows padded to 64 bytes. ``mem``: the memory
    timing (default ``IdealMemory`` with the latencies and beat gap above). ``loader_idle``, when
    given, receives per loader state the run's cycles in which the reader had no request to
    take (nothing waiting, no burst left to split): where a bus-bound GEMM loses its cycles."""
    nn, w = array_n, bus_w_bytes
    lat, wlat, gap = max(1, read_latency), max(1, write_latency), beat_gap
    if min(m, n, k) < 1 or k > kmax or w < nn:
        raise ValueError(f"shape the controller refuses: m={m} n={n} k={k} N={nn} W={w}")
    sparse, f_bias, f_perch = bool(flags & F_SPARSE), bool(flags & F_BIAS), bool(flags & F_PERCH)
    elem = 1 if flags & F_INT8 else 4
    ldc = ldc if ldc is not None else -(-n * elem // w) * w
    page_beats = 4096 // w
    # default layout: every operand 4 KB aligned, A rows padded to 64 bytes (no A burst crosses a
    # page, so the steps stay periodic for the extrapolation), B rows packed to whole bus words
    ad = dict(a=0x1000, b=0x100000, bias=0x200000, map=0x300000, lda=-(-k // 64) * 64, ldb=-(-n // w) * w)
    ad.update(addrs or {})
    mem = mem or IdealMemory(lat, wlat, gap)
    a_burst = max(2, 64 // w) if read_bursts else 1  # bus words of one A row per request
    b_burst = read_bursts and ad["ldb"] == w  # B blocks are one burst when rows are contiguous
    n_rt, n_ct, n_kb, n_kc = -(-m // nn), -(-n // nn), -(-k // nn), -(-k // w)
    n_steps = -(-n_rt // a_panels) * n_ct
    p_single = (4 * nn) // w  # beats of one bias or scale chunk
    p_beats = p_single * (2 if f_perch else 1)
    p_req = p_single if read_bursts else 1
    map_stride = (-(-n_kb // 8) + w - 1) // w * w
    map_beats = map_stride // w
    map_req = map_beats if read_bursts else 1
    vec_bytes = 4 * n_ct * nn
    zmask = [0] * n_ct  # per column tile: bit kb set = all-zero block
    for kb, jt in zero_blocks or ():
        zmask[jt] |= 1 << kb

    def panels(rb: int) -> int:
        return min(a_panels, n_rt - rb * a_panels)

    # loader
    L_WAIT_A, L_A, L_WAIT_STEP, L_P, L_MAP, L_MAP_WAIT, L_B, L_MARK, L_END = range(len(LOADER_STATES))
    l_state, l_g, l_rb, l_jt, l_kb, l_r, l_map, l_in_run = L_WAIT_A, 0, 0, 0, 0, 0, 0, False
    l_runs: list[list[int]] = []
    l_bank, l_marked, lq_valid, lq_tag, lq_addr, lq_beats = 0, 0, False, 0, 0, 1
    l_p, l_c, l_beat = 0, 0, 0
    marks, runs = [0, 0, 0], [[], [], []]
    rd_issued = rd_done = 0
    # controller destination queue, per request [tag, beats]: tag -1 A, -2 B/param, >= 0 map
    # (its first beat index); dq_beat counts the beats of the head request
    dq: deque[tuple[int, int]] = deque()
    dq_beat = 0
    # dma_reader: the command being split (its bursts left), AR queue, info FIFO, data FIFO
    r_bursts: deque[tuple[int, int]] = deque()  # (address, beats) of the bursts still to issue
    r_ar: tuple[int, int] | None = None  # the AR on the bus (ARREADY = 1: accepted this cycle)
    r_info, r_fifo, r_beat = 0, 0, None  # bursts awaiting RLAST, FIFO beats, R beat this cycle
    # transposer: fill bank/row/word/group size, banks full and their sizes, emit bank/word/byte
    f_bank, f_r, f_c, f_g, t_full, t_bg, e_bank, e_c, e_w = 0, 0, 0, 0, [False, False], [0, 0], 0, 0, 0
    # compute
    c_wait, c_g, c_started, c_it, c_run, c_tiles_rb, c_first, c_bank, c_rb = True, 0, 0, 0, 0, 0, True, 0, 0
    # core
    running, slot, last_slot, reserved, fifo = False, 0, 0, 0, 0
    pushes: deque[int] = deque()  # cycle each scheduled result row enters the result FIFO
    # store
    s_busy, s_sent, s_g, s_it, s_r, s_jt, s_rb, s_beat, s_nbeats, s_addr = (
        False, False, 0, 0, 0, 0, 0, 0, 0, 0
    )  # fmt: skip
    wr_issued = wr_acked = 0
    # dma_writer + memory write side
    w_active, w_left, w_addr = False, 0, 0  # command being split (w_addr in beats)
    w_ram, w_out, w_comm, w_nout = 0, False, 0, 0  # FIFO RAM count, output reg, committed, bursts
    w_bursts: deque[list[int]] = deque()  # bursts issued, not finished on W: [beats, ends command]
    w_bq: deque[bool] = deque()  # bursts finished on W awaiting B: ends command
    w_beat, w_done = 0, False
    m_wready, m_bvalid = False, False  # WREADY, BVALID (from the memory timing)
    w_aw: tuple[int, int] | None = None  # the AW on the bus (AWREADY = 1: accepted this cycle)
    cnt = dict(compute=0, stall=0, bytes_rd=0, bytes_wr=0, tiles=0, skipped=0)
    ar_count = 0  # AXI read bursts (not a chip counter: the harness's protocol checker counts them)

    t = 0
    while True:
        # ---------------- combinational values of this cycle ----------------
        r_issue = bool(r_bursts) and r_info != RD_OUTSTANDING  # (the FIFO credit never binds)
        rq_fire = lq_valid and (not r_bursts or (r_issue and len(r_bursts) == 1))  # cmd_ready
        head, head_beats = dq[0] if dq else (-2, 1)
        ta_ready = not t_full[f_bank]
        rd_ready = bool(dq) and (ta_ready if head == -1 else True)
        rd_fire = r_fifo > 0 and rd_ready
        ta_idle = not t_full[0] and not t_full[1] and f_r == 0 and f_c == 0
        core_issuing = running
        c_loaded = l_marked > c_g and rd_done >= marks[c_bank] and ta_idle
        cmd_fire = (not c_wait) and reserved + nn <= 4 * nn and (not running or slot == last_slot)
        while pushes and pushes[0] < t:
            pushes.popleft()
            fifo += 1
        s_row = (s_rb * a_panels + s_it) * nn + s_r
        # dma_writer: an AW once the FIFO holds the whole burst; the next command is taken as
        # the current one issues its last AW (AWREADY is always high: no stalls)
        if w_active:
            burst = min(w_left, page_beats - (w_addr % page_beats), WR_MAX_BURST)
            w_issue = w_nout != WR_OUTSTANDING and burst <= w_ram + w_out - w_comm
        else:
            burst, w_issue = 0, False
        wq_ready = not w_active or (w_issue and w_left == burst)
        w_go = w_out and bool(w_bursts) and m_wready
        w_end = w_go and w_beat == w_bursts[0][0] - 1
        w_load = w_ram != 0 and (not w_out or w_go)
        # store: a row slice's command and beats go out side by side
        wq_fire = s_busy and not s_sent and wq_ready
        wd_fire = s_busy and s_beat != s_nbeats and w_ram != 64  # writer FIFO in_ready
        s_finish = (
            s_busy and (s_sent or wq_fire) and (s_beat == s_nbeats or (wd_fire and s_beat == s_nbeats - 1))
        )
        s_written = not s_busy and wr_acked == wr_issued
        res_pop = fifo > 0 and (not s_busy or s_finish)
        if core_issuing:
            cnt["compute"] += 1
        elif c_wait and not c_loaded and c_g < n_steps:
            cnt["stall"] += 1
        if s_g == n_steps and s_written:
            break  # S_RUN -> S_DONE

        # ---------------- read path: dma_reader, memory, data FIFO ----------------
        if r_ar is not None:  # AR accepted this cycle (ARREADY = 1)
            mem.ar(t, *r_ar)
            ar_count += 1
        r_ar = r_bursts.popleft() if r_issue else None
        if r_issue:
            r_info += 1
        if rq_fire:  # the reader takes the command: its bursts, split at 4 KB pages
            addr, left = lq_addr, lq_beats
            while left:
                b = min(left, page_beats - (addr // w) % page_beats, RD_MAX_BURST)
                r_bursts.append((addr, b))
                addr, left = addr + b * w, left - b
        if r_beat is not None:  # an R beat (RREADY = 1): into the data FIFO
            r_fifo += 1
            if r_beat:  # RLAST: its burst leaves the info FIFO
                r_info -= 1
        r_beat = mem.r_next(t)
        if rq_fire:
            dq.append((lq_tag, lq_beats))
            rd_issued_n = rd_issued + lq_beats
        else:
            rd_issued_n = rd_issued
        beat_idx = dq_beat
        if rd_fire:
            dq_beat += 1
            if dq_beat == head_beats:
                dq.popleft()
                dq_beat = 0
            r_fifo -= 1
            rd_done_n = rd_done + 1
            cnt["bytes_rd"] += w
        else:
            rd_done_n = rd_done

        # ---------------- transposer ----------------
        e_done = False
        if t_full[e_bank]:
            if e_w == w - 1:
                e_w = 0
                if e_c == t_bg[e_bank] - 1:
                    e_done, e_c = True, 0
                else:
                    e_c += 1
            else:
                e_w += 1
        fill_done = False
        if rd_fire and head == -1:
            g_now = head_beats if f_r == 0 and f_c == 0 else f_g
            f_g = g_now
            if f_c == g_now - 1:
                f_c = 0
                if f_r == nn - 1:
                    f_r, fill_done = 0, True
                else:
                    f_r += 1
            else:
                f_c += 1
        if e_done:
            t_full[e_bank] = False
            e_bank ^= 1
        if fill_done:
            t_full[f_bank], t_bg[f_bank] = True, f_g
            f_bank ^= 1

        # ---------------- loader (acts when no request is waiting) ----------------
        if loader_idle is not None and not lq_valid and not r_bursts and s_g < n_steps:
            name = LOADER_STATES[l_state]
            loader_idle[name] = loader_idle.get(name, 0) + 1
        lq_reg = lq_valid  # the register, as L_MAP_WAIT tests it
        if rq_fire:
            lq_valid = False
        if not lq_valid or rq_fire:
            room = rd_issued - rd_done < DQ_CREDIT
            if l_state == L_WAIT_A:
                if (
                    l_g < n_steps
                    and c_g >= l_g
                    and not core_issuing
                    and (overlap or (s_g == l_g and s_written))
                ):
                    l_state, l_p, l_c, l_r = L_A, 0, 0, 0
                elif l_g >= n_steps:
                    l_state = L_END
            elif l_state == L_A:
                if room:
                    # row r of panel p, bus words l_c .. l_c + g - 1 (rows beyond M: the last row)
                    g = min(a_burst, n_kc - l_c)
                    row = min((l_rb * a_panels + l_p) * nn + l_r, m - 1)
                    lq_valid, lq_tag, lq_beats = True, -1, g
                    lq_addr = ad["a"] + row * ad["lda"] + l_c * w
                    if l_r == nn - 1:
                        l_r = 0
                        if n_kc - l_c == g:
                            l_c = 0
                            if l_p == panels(l_rb) - 1:
                                l_state = L_WAIT_STEP
                            else:
                                l_p += 1
                        else:
                            l_c += g
                    else:
                        l_r += 1
            elif l_state == L_WAIT_STEP:
                if overlap:
                    free = l_g < 3 or (c_started + 1 >= l_g and s_g + 2 >= l_g)
                else:
                    free = s_g == l_g and c_g == l_g and not core_issuing and s_written
                if free:
                    l_state = L_P if (f_bias or f_perch) else (L_MAP if sparse else L_B)
                    l_beat = 0
                    l_kb, l_r, l_in_run, l_runs, l_map = 0, 0, False, [], 0
            elif l_state == L_P:
                if room:  # bias beats, then scale beats (per-channel)
                    lq_valid, lq_tag, lq_beats = True, -2, p_req
                    if l_beat < p_single:
                        lq_addr = ad["bias"] + l_jt * 4 * nn + l_beat * w
                    else:
                        lq_addr = ad["bias"] + vec_bytes + l_jt * 4 * nn + (l_beat - p_single) * w
                    l_beat += p_req
                    if l_beat == p_beats:
                        l_state, l_beat = (L_MAP if sparse else L_B), 0
            elif l_state == L_MAP:
                if room:
                    lq_valid, lq_tag, lq_beats = True, l_beat, map_req
                    lq_addr = ad["map"] + l_jt * map_stride + l_beat * w
                    l_beat += map_req
                    if l_beat == map_beats:
                        l_state = L_MAP_WAIT
            elif l_state == L_MAP_WAIT:
                if rd_issued == rd_done and not lq_reg:
                    l_state = L_B
            elif l_state == L_B:
                if l_kb == n_kb:
                    runs[l_bank] = l_runs
                    l_state = L_MARK
                elif sparse and (l_map >> l_kb) & 1:
                    # a run of zero blocks up to the end of its aligned group of 8, in one cycle
                    run, group_end = 0, min(n_kb, (l_kb // 8 + 1) * 8)
                    while l_kb + run < group_end and (l_map >> (l_kb + run)) & 1:
                        run += 1
                    l_in_run = False
                    l_kb += run
                    cnt["skipped"] += run
                elif room:
                    if l_r == 0 and not l_in_run:
                        l_runs.append([l_kb, 1])
                        l_in_run = True
                    elif l_r == 0:
                        l_runs[-1][1] += 1
                    rows = min(nn, k - l_kb * nn)
                    lq_valid, lq_tag = True, -2
                    lq_addr = ad["b"] + (l_kb * nn + l_r) * ad["ldb"] + (l_jt * nn) // w * w
                    if b_burst:  # the whole block (l_r is 0)
                        lq_beats, l_kb = rows, l_kb + 1
                    elif l_r == rows - 1:
                        lq_beats, l_r, l_kb = 1, 0, l_kb + 1
                    else:
                        lq_beats, l_r = 1, l_r + 1
            elif l_state == L_MARK:
                marks[l_bank] = rd_issued + (lq_beats if rq_fire else 0)  # + the request firing now
                l_bank = (l_bank + 1) % 3
                l_g += 1
                l_marked = l_g
                if l_jt == n_ct - 1:
                    l_jt, l_rb, l_state = 0, l_rb + 1, L_WAIT_A
                else:
                    l_jt, l_state = l_jt + 1, L_WAIT_STEP
        if rd_fire and head >= 0:  # map beat: the router wins over the loader's clear
            sh = 8 * w * (head + beat_idx)
            chunk = (zmask[l_jt] >> sh) & ((1 << (8 * w)) - 1)
            l_map = (l_map & ~(((1 << (8 * w)) - 1) << sh)) | (chunk << sh)

        # ---------------- compute ----------------
        if c_wait:
            if c_g < n_steps and c_loaded:
                c_wait, c_it, c_run, c_first = False, 0, 0, True
                c_tiles_rb = panels(c_rb)
        elif cmd_fire:
            bank_runs = runs[c_bank]
            if bank_runs:
                start, length = bank_runs[c_run]
                cmd_k = min((start + length) * nn, k) - start * nn
                last = c_run == len(bank_runs) - 1
            else:
                cmd_k, last = 1, True
            # core: accept; issue slots run max(K, N) cycles; the emitting command's row r enters
            # the result FIFO max(K,N) + N + 5 + r cycles later (1 slot reg + drain delay N +
            # row reg + 3 requant stages), visible the cycle after
            span = max(cmd_k, nn)
            running, slot, last_slot = True, -1, span - 1
            if last:
                reserved += nn
                pushes.extend(t + span + nn + 5 + r for r in range(nn))
            if c_first:
                c_started = c_g + 1
            c_first = False
            if last:
                c_run = 0
                cnt["tiles"] += 1
                if c_it == c_tiles_rb - 1:
                    c_g += 1
                    c_bank = (c_bank + 1) % 3
                    c_wait = True
                    if c_g % n_ct == 0:
                        c_rb += 1
                else:
                    c_it += 1
            else:
                c_run += 1
        if running:
            if slot == last_slot:
                running = False
            else:
                slot += 1

        # ---------------- write path: dma_writer, memory, B ----------------
        if w_aw is not None:  # AW accepted this cycle
            mem.aw(t, *w_aw)
        w_aw = (w_addr * w, burst) if w_issue else None
        if w_issue:
            w_bursts.append([burst, w_left == burst])
            w_comm += burst
            w_nout += 1
            w_addr += burst
            w_left -= burst
            if w_left == 0:
                w_active = False
        if wq_fire:
            w_active, w_left, w_addr = True, s_nbeats, s_addr
        if w_go:
            w_comm -= 1
            w_beat = 0 if w_end else w_beat + 1
        if w_end:  # last W beat of a burst: the memory times its B
            w_bq.append(w_bursts.popleft()[1])
            mem.w_last(t)
        w_ram += (1 if wd_fire else 0) - (1 if w_load else 0)
        w_out = w_load or (w_out and not w_go)
        m_wready = mem.wready_next(t, w_go)
        n_done = False
        if m_bvalid:  # B (BREADY = 1): `done` the next cycle if the burst ends its command
            n_done = w_bq.popleft()
            w_nout -= 1
        m_bvalid = mem.b_next(t)

        # ---------------- store ----------------
        if wq_fire:
            wr_issued += 1
            s_sent = True
        if w_done:  # wr_resp
            wr_acked += 1
        w_done = n_done
        if wd_fire:
            s_beat += 1
        if s_finish:
            s_busy = False
        if res_pop:
            fifo -= 1
            reserved -= 1
            if s_row < m:  # rows beyond M are popped and dropped
                cols = min(nn, n - s_jt * nn)
                wa = c_addr + s_row * ldc + s_jt * nn * elem
                s_nbeats, s_beat, s_sent, s_busy = ((wa % w) + cols * elem + w - 1) // w, 0, False, True
                s_addr = wa // w
                cnt["bytes_wr"] += cols * elem
            if s_r == nn - 1:
                s_r = 0
                if s_it == panels(s_rb) - 1:
                    s_it, s_g = 0, s_g + 1
                    if s_jt == n_ct - 1:
                        s_jt, s_rb = 0, s_rb + 1
                    else:
                        s_jt += 1
                else:
                    s_it += 1
            else:
                s_r += 1
        rd_issued, rd_done = rd_issued_n, rd_done_n
        t += 1
    # START -> 3 cycles of S_CHECK -> t + 1 cycles of S_RUN -> 1 cycle of S_DONE
    return dict(total=3 + t + 1 + 1, **cnt, ar_bursts=ar_count)
