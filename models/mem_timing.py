"""Timing of the memory behind the chip's AXI4 master, as the cycle engine sees it.

``models/cycle_engine.py`` talks to the memory only through this interface, so another memory
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
