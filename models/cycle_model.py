"""Cycle model of one GEMM on the chip, validated against the RTL (docs/cycle_model.md).

``engine_cycles`` is a per-engine, cycle-stepped model of ``rtl/gemm_controller.v`` with
``rtl/gemm_core.v`` and ``rtl/a_transposer.v`` on the request-level memory of
``tb/hdl/ctrl_harness.v``: the loader, compute and store state machines, the read-request queue and
its 48-beat credit, the A transposer, the core's issue slots, result credits and drain pipeline, and
the write port. It carries no data, only the control state that decides when each engine moves, and
returns the controller's counters (``cnt_total`` ...). No constant in it is fitted: every delay is a
register stage of the RTL, named where it is used. ``tb/validate_cycle_model.py`` compares it with
the RTL on random shapes and configurations.

``extrapolated_cycles`` runs ``engine_cycles`` on the whole GEMM when it is small enough, else on
the GEMM cut to a few row blocks and column tiles, extended bilinearly (exact once the steps are
periodic, which it checks on one more cut). ``engine_gemm_cycles`` puts that behind the report's
``GemmCycles`` interface; the report's default binding ``gemm_cycles`` is still the first-order
placeholder until it is switched.

``first_order_gemm_cycles`` is the earlier analytical placeholder (kept for its tests).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from math import ceil
from typing import Literal, Protocol

# label of the binding ``gemm_cycles`` below (the report prints it); ENGINE_LABEL for engine_gemm_cycles
MODEL_LABEL = "analytical, not yet validated against RTL"
ENGINE_LABEL = "per-engine cycle model of the controller, validated against RTL (docs/cycle_model.md)"
BUF_DEPTH = 1024  # first-order placeholder only
KMAX = 2048  # rtl/gemm_controller.v default: largest K
A_PANELS = 4  # row tiles per row block
DQ_CREDIT = 48  # beats the loader may have in flight
READ_QUEUE = 200  # ctrl_harness accepts requests while fewer than this are pending

F_INT8, F_RELU, F_BIAS, F_PERCH, F_SPARSE = 1, 2, 4, 8, 16

Bound = Literal["compute", "memory"]


@dataclass(frozen=True)
class CycleEstimate:
    """Cycles of one GEMM and the traffic it causes on the memory bus."""

    cycles: int
    bound: Bound
    bytes_read: int
    bytes_written: int
    compute_cycles: int = 0
    memory_cycles: int = 0


class GemmCycles(Protocol):
    """Interface of a pluggable GEMM cycle model (the report calls it with keywords only)."""

    def __call__(
        self, m: int, n: int, k: int, *, array_n: int, bus_w_bytes: int, mem_latency: int, sparsity: float
    ) -> CycleEstimate: ...


def engine_cycles(
    m: int,
    n: int,
    k: int,
    *,
    array_n: int = 8,
    bus_w_bytes: int = 8,
    read_latency: int = 20,
    flags: int = F_INT8,
    overlap: bool = True,
    zero_blocks: set[tuple[int, int]] | None = None,
    a_panels: int = A_PANELS,
    kmax: int = KMAX,
    harness_q_ptr: int | None = None,
) -> dict[str, int]:
    """Counters of one GEMM from START to done: total, compute, stall, bytes_rd, bytes_wr, tiles,
    skipped. ``zero_blocks`` holds the (k-block, column tile) pairs the sparsity map marks zero
    (used only with ``F_SPARSE``); ``read_latency`` is the memory's request-to-data delay.
    ``harness_q_ptr``: the read-queue pointer of tb/hdl/ctrl_harness.v at START, to reproduce its
    pointer-wrap stall (its 9-bit ``q_count`` of 8-bit pointers reads >= 256 while the queue spans
    the wrap, refusing requests); None = a memory without that quirk."""
    nn, w, lat = array_n, bus_w_bytes, read_latency
    if min(m, n, k) < 1 or k > kmax or w < nn:
        raise ValueError(f"shape the controller refuses: m={m} n={n} k={k} N={nn} W={w}")
    sparse, f_bias, f_perch = bool(flags & F_SPARSE), bool(flags & F_BIAS), bool(flags & F_PERCH)
    elem = 1 if flags & F_INT8 else 4
    n_rt, n_ct, n_kb, n_kc = -(-m // nn), -(-n // nn), -(-k // nn), -(-k // w)
    n_steps = -(-n_rt // a_panels) * n_ct
    p_beats = (4 * nn) // w * (2 if f_perch else 1)
    map_beats = (-(-n_kb // 8) + w - 1) // w
    zmask = [0] * n_ct  # per column tile: bit kb set = all-zero block
    for kb, jt in zero_blocks or ():
        zmask[jt] |= 1 << kb

    def panels(rb: int) -> int:
        return min(a_panels, n_rt - rb * a_panels)

    # loader
    L_WAIT_A, L_A, L_WAIT_STEP, L_P, L_MAP, L_MAP_WAIT, L_B, L_MARK, L_END = range(9)
    l_state, l_g, l_rb, l_jt, l_left, l_kb, l_r, l_map, l_in_run = L_WAIT_A, 0, 0, 0, 0, 0, 0, 0, False
    l_runs: list[list[int]] = []
    l_bank, l_marked, lq_valid, lq_tag = 0, 0, False, 0
    marks, runs = [0, 0, 0], [[], [], []]
    rd_issued = rd_done = 0
    dq: deque[int] = deque()  # per outstanding beat: -1 A, -2 B/param, >= 0 map bits
    rq: deque[int] = deque()  # harness: due cycle of each pending read
    rd_valid = False
    q_head = q_tail = harness_q_ptr or 0  # harness read-queue pointers (8 bits)
    quirk = harness_q_ptr is not None
    # transposer
    t_fill, t_hold, t_emit = 0, False, 0
    # compute
    c_wait, c_g, c_started, c_it, c_run, c_tiles_rb, c_first, c_bank, c_rb = True, 0, 0, 0, 0, 0, True, 0, 0
    # core
    running, slot, last_slot, reserved, fifo = False, 0, 0, 0, 0
    pushes: deque[int] = deque()  # cycle each scheduled result row enters the result FIFO
    # store + write port
    s_busy, s_sent, s_g, s_it, s_r, s_jt, s_rb, s_beat, s_nbeats = False, False, 0, 0, 0, 0, 0, 0, 0
    w_busy, w_left, wr_resp, wr_issued, wr_acked = False, 0, False, 0, 0
    cnt = dict(compute=0, stall=0, bytes_rd=0, bytes_wr=0, tiles=0, skipped=0)

    t = 0
    while True:
        # ---------------- combinational values of this cycle ----------------
        q_count = (q_tail - q_head) % 512 if quirk else len(rq)
        rq_fire = lq_valid and q_count < READ_QUEUE
        head = dq[0] if dq else -2
        ta_ready = t_fill != nn - 1 or not t_hold or t_emit == w - 1
        rd_ready = bool(dq) and (ta_ready if head == -1 else True)
        rd_fire = rd_valid and rd_ready
        ta_idle = not t_hold and t_fill == 0
        core_issuing = running
        c_loaded = l_marked > c_g and rd_done >= marks[c_bank] and ta_idle
        cmd_fire = (not c_wait) and reserved + nn <= 4 * nn and (not running or slot == last_slot)
        while pushes and pushes[0] < t:
            pushes.popleft()
            fifo += 1
        res_valid = fifo > 0
        s_row = (s_rb * a_panels + s_it) * nn + s_r
        s_row_valid = s_row < m
        # store: a row slice's command and beats go out side by side; the write port takes the
        # command when idle, then one beat per cycle; the next row is popped as the slice finishes
        wq_fire = s_busy and not s_sent and not w_busy
        wd_fire = s_busy and s_beat != s_nbeats and w_busy
        s_finish = (
            s_busy and (s_sent or wq_fire) and (s_beat == s_nbeats or (wd_fire and s_beat == s_nbeats - 1))
        )
        s_written = not s_busy and wr_acked == wr_issued
        res_pop = res_valid and (not s_busy or s_finish)
        if core_issuing:
            cnt["compute"] += 1
        elif c_wait and not c_loaded and c_g < n_steps:
            cnt["stall"] += 1
        if s_g == n_steps and s_written:
            break  # S_RUN -> S_DONE

        # ---------------- memory read side (harness) ----------------
        n_rd_valid = rd_valid and not rd_fire
        if (not rd_valid or rd_ready) and rq and rq[0] <= t:
            n_rd_valid = True
            rq.popleft()
            q_head = (q_head + 1) % 256
        if rq_fire:
            rq.append(t + lat)
            q_tail = (q_tail + 1) % 256
            dq.append(lq_tag)
            rd_issued_n = rd_issued + 1
        else:
            rd_issued_n = rd_issued
        if rd_fire:
            dq.popleft()
            rd_done_n = rd_done + 1
            cnt["bytes_rd"] += w
        else:
            rd_done_n = rd_done

        # ---------------- transposer ----------------
        if t_hold:
            if t_emit == w - 1:
                t_emit, t_hold = 0, False
            else:
                t_emit += 1
        if rd_fire and head == -1:
            if t_fill == nn - 1:
                t_fill, t_hold = 0, True
            else:
                t_fill += 1

        # ---------------- loader (acts when no request is waiting) ----------------
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
                    l_state, l_left = L_A, panels(l_rb) * n_kc * nn
                elif l_g >= n_steps:
                    l_state = L_END
            elif l_state == L_A:
                if room:
                    lq_valid, lq_tag, l_left = True, -1, l_left - 1
                    if l_left == 0:
                        l_state = L_WAIT_STEP
            elif l_state == L_WAIT_STEP:
                if overlap:
                    free = l_g < 3 or (c_started + 1 >= l_g and s_g + 2 >= l_g)
                else:
                    free = s_g == l_g and c_g == l_g and not core_issuing and s_written
                if free:
                    l_state = L_P if (f_bias or f_perch) else (L_MAP if sparse else L_B)
                    l_left = p_beats if (f_bias or f_perch) else map_beats
                    l_kb, l_r, l_in_run, l_runs, l_map = 0, 0, False, [], 0
            elif l_state == L_P:
                if room:
                    lq_valid, lq_tag, l_left = True, -2, l_left - 1
                    if l_left == 0:
                        l_state, l_left = (L_MAP, map_beats) if sparse else (L_B, 0)
            elif l_state == L_MAP:
                if room:
                    beat = map_beats - l_left
                    chunk = (zmask[l_jt] >> (8 * w * beat)) & ((1 << (8 * w)) - 1)
                    lq_valid, lq_tag, l_left = True, beat | (chunk << 8), l_left - 1
                    if l_left == 0:
                        l_state = L_MAP_WAIT
            elif l_state == L_MAP_WAIT:
                if rd_issued == rd_done and not lq_valid:
                    l_state = L_B
            elif l_state == L_B:
                if l_kb == n_kb:
                    runs[l_bank] = l_runs
                    l_state = L_MARK
                elif sparse and (l_map >> l_kb) & 1:
                    l_in_run = False
                    l_kb += 1
                    cnt["skipped"] += 1
                elif room:
                    if l_r == 0 and not l_in_run:
                        l_runs.append([l_kb, 1])
                        l_in_run = True
                    elif l_r == 0:
                        l_runs[-1][1] += 1
                    lq_valid, lq_tag = True, -2
                    if l_r == min(nn, k - l_kb * nn) - 1:
                        l_r, l_kb = 0, l_kb + 1
                    else:
                        l_r += 1
            elif l_state == L_MARK:
                marks[l_bank] = rd_issued + (1 if rq_fire else 0)  # + the request firing now
                l_bank = (l_bank + 1) % 3
                l_g += 1
                l_marked = l_g
                if l_jt == n_ct - 1:
                    l_jt, l_rb, l_state = 0, l_rb + 1, L_WAIT_A
                else:
                    l_jt, l_state = l_jt + 1, L_WAIT_STEP
        if rd_fire and head >= 0:  # map beat: the router wins over the loader's clear
            sh = 8 * w * (head & 255)
            l_map = (l_map & ~(((1 << (8 * w)) - 1) << sh)) | ((head >> 8) << sh)

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

        # ---------------- store + write port ----------------
        n_wr_resp = False
        if wq_fire:
            w_busy, w_left, s_sent = True, s_nbeats, True
            wr_issued += 1
        elif wd_fire:
            w_left -= 1
            if w_left == 0:
                w_busy, n_wr_resp = False, True
        if wr_resp:
            wr_acked += 1
        if wd_fire:
            s_beat += 1
        if s_finish:
            s_busy = False
        if res_pop:
            fifo -= 1
            reserved -= 1
            if s_row_valid:
                cols = min(nn, n - s_jt * nn)
                off = (s_jt * nn * elem) % w
                s_nbeats, s_beat, s_sent, s_busy = (off + cols * elem + w - 1) // w, 0, False, True
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
        wr_resp = n_wr_resp
        rd_valid, rd_issued, rd_done = n_rd_valid, rd_issued_n, rd_done_n
        t += 1
    # START -> 3 cycles of S_CHECK -> t + 1 cycles of S_RUN -> 1 cycle of S_DONE
    return dict(total=3 + t + 1 + 1, **cnt)


def uniform_zero_blocks(k_blocks: int, col_tiles: int, sparsity: float) -> set[tuple[int, int]]:
    """A block mask with ``round(sparsity * k_blocks)`` zero blocks in every column tile, spread
    evenly over k (the same in every tile, so the steps stay periodic)."""
    zeros = round(sparsity * k_blocks)
    rows = {int((i + 0.5) * k_blocks / zeros) for i in range(zeros)} if zeros else set()
    return {(b, j) for b in rows for j in range(col_tiles)}


@lru_cache(maxsize=1024)
def _run(
    m: int, n: int, k: int, sparsity: float, array_n: int, bus_w_bytes: int, read_latency: int, flags: int
) -> dict:
    kb, ct = -(-k // array_n), -(-n // array_n)
    zero = uniform_zero_blocks(kb, ct, sparsity) if flags & F_SPARSE else None
    return engine_cycles(
        m,
        n,
        k,
        array_n=array_n,
        bus_w_bytes=bus_w_bytes,
        read_latency=read_latency,
        flags=flags,
        zero_blocks=zero,
    )


def extrapolated_cycles(
    m: int, n: int, k: int, *, array_n: int, bus_w_bytes: int, read_latency: int, flags: int,
    sparsity: float = 0.0, budget: int = 60_000,
) -> dict:  # fmt: skip
    """``engine_cycles`` of the whole GEMM when its MAC cycles are under ``budget`` (or it has at most
    3 row blocks and column tiles). Otherwise the same GEMM cut to a few row blocks R and column tiles
    C (same K, same partial last block and tile) is simulated at R, C in {b, b+1} and extended
    bilinearly to the full R, C, which is exact once the step sequence is periodic; the fit is
    checked on (b+2, b+2) (``verified``), first with b = 1, then b = 2. ``method`` says which."""
    kw = dict(array_n=array_n, bus_w_bytes=bus_w_bytes, read_latency=read_latency, flags=flags)
    rows_per_block = array_n * A_PANELS
    rb, ct = -(-m // rows_per_block), -(-n // array_n)
    if -(-m // array_n) * ct * max(k, array_n) <= budget or (rb <= 3 and ct <= 3):
        return dict(_run(m, n, k, sparsity, **kw), method="simulated", verified=True)

    def cut(r: int, c: int) -> dict[str, int]:
        return _run(m - (rb - r) * rows_per_block, n - (ct - c) * array_n, k, sparsity, **kw)

    out: dict = {}
    for b in (1, 2):
        rs = (rb,) * 3 if rb <= b + 2 else (b, b + 1, b + 2)
        cs = (ct,) * 3 if ct <= b + 2 else (b, b + 1, b + 2)
        f = {(x, y): cut(rs[x], cs[y]) for x in (0, 1) for y in (0, 1)}
        check = cut(rs[2], cs[2])
        verified = True
        for key, v00 in f[(0, 0)].items():
            d_r, d_c = f[(1, 0)][key] - v00, f[(0, 1)][key] - v00
            d_rc = f[(1, 1)][key] - f[(1, 0)][key] - f[(0, 1)][key] + v00
            x2, y2 = (2 if rs[0] != rs[2] else 0), (2 if cs[0] != cs[2] else 0)
            verified &= v00 + x2 * d_r + y2 * d_c + x2 * y2 * d_rc == check[key]
            x, y = rb - rs[0], ct - cs[0]
            out[key] = v00 + x * d_r + y * d_c + x * y * d_rc
        if verified:
            break
    return dict(out, method="extrapolated", verified=verified)


@lru_cache(maxsize=4096)
def engine_gemm_cycles(
    m: int, n: int, k: int, *, array_n: int, bus_w_bytes: int, mem_latency: int, sparsity: float
) -> CycleEstimate:
    """The ``GemmCycles`` interface on the validated engine model: int8 output with bias, overlap
    on, ``mem_latency`` = read latency of the ideal memory, block sparsity as an even mask. K beyond
    the controller's KMAX runs as ceil(K / KMAX) GEMMs back to back (int32 partial outputs added
    by the host, not counted)."""
    chunks = -(-k // KMAX)
    total = {"total": 0, "compute": 0, "bytes_rd": 0, "bytes_wr": 0}
    flags = F_INT8 | F_BIAS | (F_SPARSE if sparsity > 0 else 0)
    for i in range(chunks):
        kk = min(KMAX, k - i * KMAX)
        f = flags if chunks == 1 else (flags & ~F_INT8)
        r = extrapolated_cycles(
            m,
            n,
            kk,
            array_n=array_n,
            bus_w_bytes=bus_w_bytes,
            read_latency=mem_latency,
            flags=f,
            sparsity=sparsity,
        )
        if not r["verified"]:  # not periodic within the cuts: simulate the whole GEMM
            r = _run(m, n, kk, sparsity, array_n, bus_w_bytes, mem_latency, f)
        for key in total:
            total[key] += r[key]
    memory = ceil((total["bytes_rd"] + total["bytes_wr"]) / bus_w_bytes)
    bound: Bound = "compute" if total["compute"] >= memory else "memory"
    return CycleEstimate(
        total["total"], bound, total["bytes_rd"], total["bytes_wr"], total["compute"], memory
    )


def fill_drain_cycles(array_n: int) -> int:
    """Cycles from a tile's last operands to its last result row out (docs/core.md: 2N + 5)."""
    return 2 * array_n + 5


def effective_k(k: int, array_n: int, sparsity: float) -> int:
    """Reduction depth actually streamed when a fraction ``sparsity`` of k-blocks is zero."""
    if sparsity <= 0.0:
        return k
    k_blocks = ceil(k / array_n)
    nonzero_blocks = ceil(round((1.0 - sparsity) * k_blocks, 9))
    return min(k, nonzero_blocks * array_n)


def first_order_gemm_cycles(
    m: int,
    n: int,
    k: int,
    *,
    array_n: int,
    bus_w_bytes: int,
    mem_latency: int,
    sparsity: float,
    buf_depth: int = BUF_DEPTH,
) -> CycleEstimate:
    """First-order estimate (analytical, not yet validated against RTL); see the module doc."""
    if min(m, n, k, array_n, bus_w_bytes, buf_depth) < 1 or mem_latency < 0:
        raise ValueError(f"bad GEMM or chip parameters: m={m} n={n} k={k} array_n={array_n}")
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity must be in [0, 1], got {sparsity}")
    row_tiles, col_tiles = ceil(m / array_n), ceil(n / array_n)
    k_eff = effective_k(k, array_n, sparsity)
    compute = row_tiles * col_tiles * max(k_eff, array_n) + fill_drain_cycles(array_n)

    a_panels_in_buffer = max(1, buf_depth // k)
    row_blocks = ceil(row_tiles / a_panels_in_buffer)
    a_bytes = m * k_eff * col_tiles if k > buf_depth else m * k
    b_bytes_once = ceil(k * n * k_eff / k)
    map_bytes = 0
    if sparsity > 0.0:
        map_row_bytes = ceil(ceil(col_tiles / 8) / bus_w_bytes) * bus_w_bytes
        map_bytes = ceil(k / array_n) * map_row_bytes
    bytes_read = a_bytes + b_bytes_once * row_blocks + map_bytes
    bytes_written = m * n
    memory = ceil((bytes_read + bytes_written) / bus_w_bytes)

    bound: Bound = "compute" if compute >= memory else "memory"
    return CycleEstimate(
        cycles=max(compute, memory) + mem_latency,
        bound=bound,
        bytes_read=bytes_read,
        bytes_written=bytes_written,
        compute_cycles=compute,
        memory_cycles=memory,
    )


# The model the report uses by default (see docs/cycle_model.md for engine_gemm_cycles).
gemm_cycles: GemmCycles = first_order_gemm_cycles
