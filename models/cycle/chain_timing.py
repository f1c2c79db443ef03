"""PERF_CYCLES of a descriptor chain on one memory timeline: exact on the DRAM model too.

``cycle_model.chain_cycles`` adds a fixed descriptor-fetch time to each GEMM's own total. That is
exact on the ideal memory, whose latency does not depend on what came before; on the DRAM model
it is not: a chain's GEMMs share one DRAM (open rows, write recovery, the refresh timer, started
by the chain's first request), and the descriptor reads go through it as well. ``chain_engine_cycles``
runs the chain as the chip does, on ONE memory timing object:

1. S_FETCH (rtl/gemm_controller.v, loader state L_DESC): the 64-byte descriptor as one read
   burst (CTRL.read_bursts) or one single-beat read per bus word, through the same dma_reader
   path as ``cycle_engine`` models it (loader request register, reader command and AR registers,
   the data FIFO, the destination queue); the fetch ends when every beat is in and no request
   is waiting, and S_CHECK starts in the next cycle;
2. three S_CHECK cycles;
3. S_RUN: ``cycle_engine.engine_cycles`` on the same memory, its cycle 0 shifted to the run's
   first cycle (``Shifted``); the next descriptor's fetch starts in the cycle after the run's last;
4. one S_DONE cycle after the last GEMM.

On ``mem_timing.IdealMemory`` this gives ``chain_cycles`` exactly (``tests/test_chain_timing.py``
checks it over latencies, bus widths and both read modes), so the fetch path here is the one the
RTL validation of chains on the ideal memory already fixed; on ``DramMemory`` the RTL runs of
tb/test_chip.py (descriptor chain) and the staged MiniLM demo compare it with the chip.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

from models.cycle.cycle_engine import DQ_CREDIT, RD_MAX_BURST, RD_OUTSTANDING, engine_cycles
from models.cycle.mem_timing import MemTiming

DESC_BYTES = 64  # one descriptor (docs/registers.md, "Descriptor chains")
CHECK_CYCLES = 3  # S_CHECK phases 0, 1, 2


class Shifted:
    """A ``MemTiming`` seen from a GEMM whose cycle 0 is cycle ``t0`` of the memory's timeline."""

    def __init__(self, mem: MemTiming, t0: int) -> None:
        self.mem, self.t0 = mem, t0

    def ar(self, t: int, addr: int, beats: int) -> None:
        self.mem.ar(t + self.t0, addr, beats)

    def r_next(self, t: int) -> bool | None:
        return self.mem.r_next(t + self.t0)

    def aw(self, t: int, addr: int, beats: int) -> None:
        self.mem.aw(t + self.t0, addr, beats)

    def wready_next(self, t: int, beat_now: bool) -> bool:
        return self.mem.wready_next(t + self.t0, beat_now)

    def w_last(self, t: int) -> None:
        self.mem.w_last(t + self.t0)

    def b_next(self, t: int) -> bool:
        return self.mem.b_next(t + self.t0)


def fetch_end(mem: MemTiming, t: int, addr: int, bus_w_bytes: int, read_bursts: bool = True) -> int:
    """The first S_CHECK cycle after a descriptor fetch whose first S_FETCH cycle is ``t``.

    Nothing else is in flight: a chain fetches only after the previous GEMM's last write is
    acknowledged. The reader path is ``cycle_engine``'s, cut down to requests of one kind."""
    w = bus_w_bytes
    beats_total = DESC_BYTES // w
    req_beats = beats_total if read_bursts else 1
    page_beats = 4096 // w
    fetched = 0  # the loader's fetch_beat
    lq_valid, lq_addr, lq_beats = False, 0, 1
    r_bursts: deque[tuple[int, int]] = deque()
    r_ar: tuple[int, int] | None = None
    r_info = r_fifo = 0
    r_beat: bool | None = None
    rd_issued = rd_done = 0
    while True:
        r_issue = bool(r_bursts) and r_info != RD_OUTSTANDING
        rq_fire = lq_valid and (not r_bursts or (r_issue and len(r_bursts) == 1))
        rd_fire = r_fifo > 0  # a descriptor word is never held back
        if r_ar is not None:
            mem.ar(t, *r_ar)
        r_ar = r_bursts.popleft() if r_issue else None
        if r_issue:
            r_info += 1
        if rq_fire:
            a, left = lq_addr, lq_beats
            while left:
                b = min(left, page_beats - (a // w) % page_beats, RD_MAX_BURST)
                r_bursts.append((a, b))
                a, left = a + b * w, left - b
        if r_beat is not None:
            r_fifo += 1
            if r_beat:
                r_info -= 1
        r_beat = mem.r_next(t)
        rd_issued_n = rd_issued + (lq_beats if rq_fire else 0)
        if rd_fire:
            r_fifo -= 1
        rd_done_n = rd_done + int(rd_fire)
        # loader, L_DESC: acts when no request is waiting (or the waiting one is taken now)
        lq_reg = lq_valid
        if rq_fire:
            lq_valid = False
        if not lq_valid or rq_fire:
            if fetched < beats_total:
                if rd_issued - rd_done < DQ_CREDIT:
                    lq_valid, lq_addr, lq_beats = True, addr + fetched * w, req_beats
                    fetched += req_beats
            elif rd_issued == rd_done and not lq_reg:
                return t + 1
        rd_issued, rd_done = rd_issued_n, rd_done_n
        t += 1


def chain_engine_cycles(
    gemms: Sequence[dict[str, Any]],
    desc_addrs: Sequence[int],
    mem: MemTiming,
    *,
    bus_w_bytes: int,
    read_bursts: bool = True,
) -> dict[str, int]:
    """PERF counters of a chain: ``gemms`` are ``engine_cycles`` keyword arguments (shape as
    ``m``, ``n``, ``k``), ``desc_addrs`` where each GEMM's descriptor lies, ``mem`` the one memory
    timing every read and write of the chain goes through (fresh: idle DRAM)."""
    if len(gemms) != len(desc_addrs) or not gemms:
        raise ValueError("a chain needs one descriptor address per GEMM, and at least one GEMM")
    t = 0  # the chain's first S_FETCH cycle
    sums: dict[str, int] = {}
    for g, addr in zip(gemms, desc_addrs, strict=True):
        t_run = fetch_end(mem, t, addr, bus_w_bytes, read_bursts) + CHECK_CYCLES
        kw = dict(g, bus_w_bytes=bus_w_bytes, read_bursts=read_bursts, mem=Shifted(mem, t_run))
        one = engine_cycles(kw.pop("m"), kw.pop("n"), kw.pop("k"), **kw)
        one.pop("ar_bursts", None)  # the harness's count, not a chip counter
        for key, v in one.items():
            sums[key] = sums.get(key, 0) + v
        # engine total = 3 check + (run) + 1 done, counted from START: the run alone is total - 4
        t = t_run + one["total"] - 4
    # cycle t is the last GEMM's S_DONE; PERF_CYCLES counts from the first fetch to it, inclusive
    return dict(sums, total=t + 1, bytes_rd=sums["bytes_rd"] + len(gemms) * DESC_BYTES)
