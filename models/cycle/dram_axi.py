"""The DRAM model's command queue and AXI side, edge by edge as tb/hdl/dram_model.v runs them, in
front of ``models.cycle.dram_timing.DramScheduler``; the ideal model behind the same interface; and the
whole exchange with tb/hdl/dram_harness.v's master (``simulate``). docs/dram_model.md.
Pure maths: no simulator, no tb import.
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass, field

from models.cycle.dram_timing import DramParams, DramScheduler


@dataclass
class _Req:
    seq: int
    write: bool
    addr: int
    beats: int
    t_ready: int = -1  # read: AR edge + 1; write: last W edge + 1; -1 not yet
    done: list[int] = field(default_factory=list)


class DramController:
    """The controller's queue in front of ``DramScheduler``, edge by edge, as the HDL runs it.

    Call per clock edge ``t`` (cycles counted from reset as in the HDL): ``ar`` / ``aw`` for an
    address accepted at ``t`` (an AR before an AW of the same edge), ``wlast`` for the last W beat
    of the oldest write without its data, then ``tick(t)``. Entries are scheduled strictly in
    acceptance order; a write is schedulable once its last data beat is in. ``r_ready`` gets one
    value per R beat (in AR order), ``b_ready`` one per B (in AW order): the first cycle on which
    that beat / response may be handshaken. A beat may be presented at edge t when its value is
    <= t + 1 (exactly the cycle engine's ``m_rq`` / ``m_bq`` rule). ``retire_read`` /
    ``retire_write`` at the edge of a read's last R beat / a write's B free its queue entry."""

    def __init__(self, p: DramParams) -> None:
        self.p = p
        self.sched = DramScheduler(p)
        self.pending: deque[_Req] = deque()  # accepted, not yet scheduled, in order
        self.wait_data: deque[_Req] = deque()  # writes without their last W beat, in order
        self.count = 0  # queue entries in use (accepted, not retired)
        self.seq = 0
        self.r_ready: deque[int] = deque()
        self.b_ready: deque[int] = deque()

    def can_accept_ar(self) -> bool:
        return self.count < self.p.queue_depth

    def can_accept_aw(self, arvalid: bool) -> bool:
        return self.count + int(arvalid) < self.p.queue_depth

    def _new(self, write: bool, addr: int, beats: int) -> _Req:
        if self.count >= self.p.queue_depth:
            raise RuntimeError("DRAM queue overflow: the caller ignored ARREADY/AWREADY")
        if beats < 1 or beats > 256:
            raise ValueError(f"burst of {beats} beats")
        r = _Req(self.seq, write, addr, beats)
        self.seq += 1
        self.count += 1
        self.pending.append(r)
        return r

    def ar(self, t: int, addr: int, beats: int) -> None:
        self.sched.start_refresh(t)
        self._new(False, addr, beats).t_ready = t + 1

    def aw(self, t: int, addr: int, beats: int) -> None:
        self.sched.start_refresh(t)
        self.wait_data.append(self._new(True, addr, beats))

    def wlast(self, t: int) -> None:
        self.wait_data.popleft().t_ready = t + 1

    def tick(self, t: int) -> None:
        """Schedule every entry that can be, in order (the HDL does it in the same edge)."""
        while self.pending and self.pending[0].t_ready >= 0:
            r = self.pending.popleft()
            r.done = self.sched.schedule(r.t_ready, r.addr, r.beats, r.write)
            if r.write:
                self.b_ready.append(r.done[-1])
            else:
                self.r_ready.extend(r.done)

    def retire_read(self) -> None:
        self.count -= 1

    def retire_write(self) -> None:
        self.count -= 1


class IdealMemory:
    """tb/hdl/axi_mem_model.v without stalls or beat gaps behind the same interface as
    ``DramController``: an R beat may be handshaken ``read_latency`` cycles after its AR, a B
    ``write_latency`` cycles after the last W beat (what models/cycle/cycle_engine.py does today with
    ``m_rq.append(t + lat)`` / ``m_bq.append(t + wlat)``)."""

    def __init__(self, read_latency: int = 20, write_latency: int = 20) -> None:
        self.lat, self.wlat = max(1, read_latency), max(1, write_latency)
        self.r_ready: deque[int] = deque()
        self.b_ready: deque[int] = deque()

    def can_accept_ar(self) -> bool:
        return True

    def can_accept_aw(self, arvalid: bool) -> bool:
        return True

    def ar(self, t: int, addr: int, beats: int) -> None:
        self.r_ready.extend([t + self.lat] * beats)

    def aw(self, t: int, addr: int, beats: int) -> None:
        pass

    def wlast(self, t: int) -> None:
        self.b_ready.append(t + self.wlat)

    def tick(self, t: int) -> None:
        pass

    def retire_read(self) -> None:
        pass

    def retire_write(self) -> None:
        pass


@dataclass(frozen=True)
class Request:
    """One request the test master offers: ARVALID/AWVALID from edge ``offer`` on (and not before
    the previous request of its channel was accepted)."""

    offer: int
    write: bool
    addr: int
    beats: int


@dataclass
class Trace:
    """Edges of every handshake, as tb/hdl/dram_harness.v logs them."""

    ar: list[int] = field(default_factory=list)
    aw: list[int] = field(default_factory=list)
    w: list[int] = field(default_factory=list)
    r: list[int] = field(default_factory=list)
    b: list[int] = field(default_factory=list)
    stats: dict = field(default_factory=dict)


def simulate(p: DramParams, requests: list[Request], max_edges: int = 10_000_000) -> Trace:
    """The AXI side of the HDL model with the test harness's master (RREADY = BREADY = 1; W beats
    offered back to back from the edge after their AW was accepted), edge by edge. Returns the
    edge of every handshake."""
    reads = [r for r in requests if not r.write]
    writes = [r for r in requests if r.write]
    ctl = DramController(p)
    tr = Trace()
    ir = iw = 0  # next AR / AW to offer
    ar_free = aw_free = 1  # earliest edge the next AR / AW may be valid
    w_left = 0  # W beats owed for accepted AWs (after the previous edge)
    w_beat = 0  # beats of the oldest owed write already sent
    w_lens: deque[int] = deque()
    r_beat = 0
    r_lens: deque[int] = deque()
    r_next = b_next = 1  # earliest edge of the next R beat / B (one per edge)
    n_r = sum(r.beats for r in reads)
    q = p.queue_depth
    t = 0
    while len(tr.r) < n_r or len(tr.b) < len(writes):
        t += 1
        if t > max_edges:
            raise RuntimeError(f"DRAM model simulation did not finish in {max_edges} cycles")
        # ARREADY / AWREADY from the entries in use before this edge (AXI: ready may follow valid)
        used = ctl.count
        ar_v = ir < len(reads) and reads[ir].offer <= t and ar_free <= t
        aw_v = iw < len(writes) and writes[iw].offer <= t and aw_free <= t
        ar_fire = ar_v and used < q
        aw_fire = aw_v and used + int(ar_v) < q
        w_fire = w_left > 0  # WREADY: an accepted AW still owes beats (after the previous edge)
        # R and B handshakes (RREADY = BREADY = 1): a beat presented when its ready cycle <= t
        if ctl.r_ready and ctl.r_ready[0] <= t and r_next <= t:
            ctl.r_ready.popleft()
            tr.r.append(t)
            r_next = t + 1
            r_beat += 1
            if r_beat == r_lens[0]:
                r_beat = 0
                r_lens.popleft()
                ctl.retire_read()
        if ctl.b_ready and ctl.b_ready[0] <= t and b_next <= t:
            ctl.b_ready.popleft()
            tr.b.append(t)
            b_next = t + 1
            ctl.retire_write()
        if ar_fire:
            rq = reads[ir]
            ctl.ar(t, rq.addr, rq.beats)
            r_lens.append(rq.beats)
            tr.ar.append(t)
            ir, ar_free = ir + 1, t + 1
        if aw_fire:
            rq = writes[iw]
            ctl.aw(t, rq.addr, rq.beats)
            w_lens.append(rq.beats)
            tr.aw.append(t)
            iw, aw_free = iw + 1, t + 1
        if w_fire:
            tr.w.append(t)
            w_beat += 1
            w_left -= 1
            if w_beat == w_lens[0]:
                w_beat = 0
                w_lens.popleft()
                ctl.wlast(t)
        if aw_fire:
            w_left += writes[iw - 1].beats
        ctl.tick(t)
    tr.stats = asdict(ctl.sched.stats)
    return tr
