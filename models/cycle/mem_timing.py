"""Timing of the memory behind the chip's AXI4 master, as the cycle engine sees it.

``models/cycle/cycle_engine.py`` talks to the memory only through this interface, so another memory
timing model (a DRAM model) can be plugged in without touching the controller/DMA modelling:

* ``ar(t, addr, beats)``: the read burst whose AR handshake happened in cycle ``t``;
* ``r_next(t)``: called once per cycle ``t``; returns ``None`` or ``last`` (bool) for the R beat
  that will be on the bus in cycle ``t + 1`` (RREADY is always 1);
* ``aw(t, addr, beats)``: the write burst whose AW handshake happened in cycle ``t``;
* ``wready_next(t, beat_now)``: called once per cycle; ``beat_now`` says a W beat moved in cycle
  ``t``; returns WREADY for cycle ``t + 1``;
* ``w_last(t)``: the last W beat of the oldest write burst moved in cycle ``t``;
* ``b_next(t)``: called once per cycle; True when a B response is on the bus in cycle ``t + 1``.

``IdealMemory`` is ``tb/hdl/axi_mem_model.v`` without random stalls: ARREADY/AWREADY always 1,
the first R beat of a burst ``read_latency`` cycles after its AR, then one beat per cycle in
order, ``beat_gap`` idle cycles after every R and every W beat, B ``write_latency`` cycles after
the last W beat of a burst.

``DramMemory`` is ``tb/hdl/dram_model.v`` (the DRAM timing model, docs/dram_model.md) through its
Python twin ``models.cycle.dram_axi.DramController``.
"""

from __future__ import annotations

from collections import deque
from typing import Protocol


class MemTiming(Protocol):
    def ar(self, t: int, addr: int, beats: int) -> None: ...
    def r_next(self, t: int) -> bool | None: ...
    def aw(self, t: int, addr: int, beats: int) -> None: ...
    def wready_next(self, t: int, beat_now: bool) -> bool: ...
    def w_last(self, t: int) -> None: ...
    def b_next(self, t: int) -> bool: ...


class IdealMemory:
    """tb/hdl/axi_mem_model.v (no stalls): fixed latencies, one beat per cycle and direction."""

    def __init__(self, read_latency: int, write_latency: int, beat_gap: int = 0) -> None:
        self.lat, self.wlat, self.gap = max(1, read_latency), max(1, write_latency), beat_gap
        self._rq: deque[list[int]] = deque()  # [first cycle on R, beats left]
        self._rvalid, self._rgap = False, 0
        self._wq = 0  # AWs accepted whose last W beat has not moved
        self._wgap = 0
        self._bq: deque[int] = deque()  # first cycle each B may be on the bus

    def ar(self, t: int, addr: int, beats: int) -> None:
        self._rq.append([t + self.lat, beats])

    def r_next(self, t: int) -> bool | None:
        if self._rvalid:  # a beat moved this cycle: the gap counter restarts
            self._rgap = self.gap
        if self._rgap > 0:
            self._rgap -= 1
            self._rvalid = False
            return None
        if self._rq and self._rq[0][0] <= t + 1:
            head = self._rq[0]
            head[1] -= 1
            if head[1] == 0:
                self._rq.popleft()
            self._rvalid = True
            return head[1] == 0
        self._rvalid = False
        return None

    def aw(self, t: int, addr: int, beats: int) -> None:
        self._wq += 1

    def w_last(self, t: int) -> None:
        self._bq.append(t + self.wlat)
        self._wq -= 1

    def wready_next(self, t: int, beat_now: bool) -> bool:
        if beat_now:
            self._wgap = self.gap
        if self._wgap > 0:
            self._wgap -= 1
            return False
        return self._wq > 0

    def b_next(self, t: int) -> bool:
        if self._bq and self._bq[0] <= t + 1:
            self._bq.popleft()
            return True
        return False


class DramMemory:
    """``tb/hdl/dram_model.v`` behind the ``MemTiming`` interface: ``models.cycle.dram_axi.DramController``
    (its queue, in acceptance order, in front of ``DramScheduler``) driven edge by edge as the HDL
    runs it, from an idle DRAM (every bank closed, the refresh timer from the first request: what
    the HDL is after reset or a bulk load, so each GEMM starts on the same DRAM state).

    The cycle engine assumes ARREADY = AWREADY = 1. The DRAM's queue holds reads until their last R
    beat and writes until their B; the chip has at most ``reads_in_flight`` read bursts (the
    reader's burst-info FIFO) and ``writes_in_flight`` write bursts awaiting B (the writer) at
    once, so a queue of at least their sum never refuses a request; a smaller queue is refused
    here, naming the parameter. Per edge ``t`` the engine calls ``ar(t)`` before ``r_next(t)`` and
    ``aw(t)`` / ``w_last(t)`` before ``b_next(t)``: the controller schedules at each of those two
    points, in acceptance order (scheduling is a function of the requests' ready cycles and
    order, not of when it runs, and nothing scheduled after ``r_next(t)`` within edge ``t`` can be
    presented on R at ``t``: a read behind a write whose data completed at ``t`` finishes later)."""

    def __init__(self, params, reads_in_flight: int = 32, writes_in_flight: int = 32) -> None:
        from models.cycle.dram_axi import DramController  # the DRAM twin; only this class needs it

        need = reads_in_flight + writes_in_flight
        if params.queue_depth < need:
            raise ValueError(
                f"DRAM parameter queue_depth = {params.queue_depth}: the cycle model needs at least "
                f"{need} (read bursts + write bursts the chip may have in flight) to keep ARREADY/AWREADY 1"
            )
        self.ctl = DramController(params)
        self._r_beats: deque[int] = deque()  # beats of each read in AR order
        self._r_left = 0  # beats of the head read not yet presented
        self._owed = 0  # AWs accepted whose last W beat has not moved (the HDL's wq_owed)
        self._retire: list[tuple[int, str]] = []  # (edge, "r"|"w"): a queue entry frees at that edge

    def _free(self, t: int) -> None:
        """Retire the entries whose last R beat / B was handshaken at an edge <= ``t``."""
        keep = []
        for edge, kind in self._retire:
            if edge <= t:
                (self.ctl.retire_read if kind == "r" else self.ctl.retire_write)()
            else:
                keep.append((edge, kind))
        self._retire = keep

    def ar(self, t: int, addr: int, beats: int) -> None:
        self._free(t)
        self.ctl.ar(t, addr, beats)
        self._r_beats.append(beats)

    def r_next(self, t: int) -> bool | None:
        self.ctl.tick(t)
        rr = self.ctl.r_ready
        if rr and rr[0] <= t + 1:  # presented at edge t, handshaken at t + 1 (RREADY = 1)
            rr.popleft()
            if self._r_left == 0:
                self._r_left = self._r_beats.popleft()
            self._r_left -= 1
            if self._r_left == 0:
                self._retire.append((t + 1, "r"))
                return True
            return False
        return None

    def aw(self, t: int, addr: int, beats: int) -> None:
        self._free(t)
        self.ctl.aw(t, addr, beats)
        self._owed += 1

    def w_last(self, t: int) -> None:
        self.ctl.wlast(t)
        self._owed -= 1

    def wready_next(self, t: int, beat_now: bool) -> bool:
        return self._owed > 0

    def b_next(self, t: int) -> bool:
        self.ctl.tick(t)
        br = self.ctl.b_ready
        if br and br[0] <= t + 1:
            br.popleft()
            self._retire.append((t + 1, "w"))
            return True
        return False
