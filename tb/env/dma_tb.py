"""Helpers for tb/test_dma.py: drive tb/hdl/dma_harness.v in bulk (files and command tables, never
beat by beat from Python) and compute the expected memory and stream contents with numpy.

The harness runs in the build folder; the hex files it reads and writes live there (the cwd of
the simulation). Conventions: memory images are flat ``uint8`` arrays indexed by byte address;
a command is ``(addr, len)`` in bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge

from tb.env import coverage_model as fcov
from tb.env.seeds import log_seed

INPUTS_ZERO = (
    "mode", "rd_cmd_valid", "rd_cmd_addr", "rd_cmd_len", "wr_cmd_valid", "wr_cmd_addr", "wr_cmd_len",
    "rd_tab_n", "wr_tab_n", "rd_abort", "wr_abort", "link_stall_pct", "src_beats", "cfg_rd_latency",
    "cfg_wr_latency", "cfg_stall_pct", "cfg_beat_gap", "cfg_err_lo", "cfg_err_hi", "cfg_dump_lo",
    "cfg_dump_hi", "load_req", "dump_req", "cap_dump_req", "stream_reset",
)  # fmt: skip


def _words_hex(raw: np.ndarray, nbytes: int) -> str:
    """Rows of little-endian bytes -> one hex word per line (most significant byte first)."""
    flat = np.ascontiguousarray(raw.reshape(-1, nbytes)[:, ::-1]).tobytes().hex()
    w = 2 * nbytes
    return "\n".join(flat[i : i + w] for i in range(0, len(flat), w)) + "\n"


def _read_words(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text().splitlines() if ln.strip() and ln[0] not in "/@"]


def bursts(addr: int, nbeats: int, nbytes: int, max_burst: int) -> list[tuple[int, int]]:
    """The DMA's burst split: (address, beats), at most max_burst, never across 4 KB."""
    out = []
    while nbeats:
        n = min(nbeats, (4096 - (addr & 0xFFF)) // nbytes, max_burst)
        out.append((addr, n))
        addr += n * nbytes
        nbeats -= n
    return out


def nbeats(length: int, nbytes: int) -> int:
    return -(-length // nbytes)


class DmaTB:
    """Clock, reset, knobs, bulk load/dump and waits on dma_harness."""

    def __init__(self, dut) -> None:
        self.dut = dut
        self.seed = log_seed(dut)  # logs the replay command (run seed + test name)
        self.rng = np.random.default_rng(self.seed)
        self.bus_w = int(dut.BUS_W.value)
        self.nb = self.bus_w // 8
        self.mem_bytes = int(dut.MEM_BYTES.value)
        self.cap_depth = int(dut.CAP_DEPTH.value)
        self.tab_depth = int(dut.TAB_DEPTH.value)
        self.max_burst = int(dut.MAX_BURST.value)
        self.mem = np.zeros(self.mem_bytes, dtype=np.uint8)
        self.cwd = Path.cwd()
        Clock(dut.clk, 10, unit="ns").start()

    def log(self, fmt: str, *args) -> None:
        self.dut._log.info(fmt, *args)

    def v(self, name: str) -> int:
        return int(getattr(self.dut, name).value)

    async def reset(self, mode: int = 1, **knobs: int) -> None:
        """Reset with the memory model knobs (taken at reset: seed) and stream knobs set."""
        d = self.dut
        for s in INPUTS_ZERO:
            getattr(d, s).value = 0
        d.cfg_seed.value = int(self.rng.integers(1, 2**31))
        d.mode.value = mode
        self.knobs(**knobs)
        d.rst.value = 1
        await ClockCycles(d.clk, 3)
        d.rst.value = 0
        await RisingEdge(d.clk)

    def knobs(self, **knobs: int) -> None:
        for k, val in knobs.items():
            getattr(self.dut, k).value = int(val)
        if knobs:
            fcov.sample_dma_knobs(knobs)

    def random_knobs(self, max_lat: int = 24, max_stall: int = 30, max_gap: int = 2) -> dict[str, int]:
        r = self.rng
        k = {
            "cfg_rd_latency": int(r.integers(1, max_lat + 1)),
            "cfg_wr_latency": int(r.integers(1, max_lat + 1)),
            "cfg_stall_pct": int(r.integers(0, max_stall + 1)),
            "cfg_beat_gap": int(r.integers(0, max_gap + 1)) if r.random() < 0.5 else 0,
            "link_stall_pct": int(r.integers(0, 50)),
        }
        self.knobs(**k)
        self.log("knobs %s", k)
        return k

    async def pulse(self, name: str, cycles: int = 1) -> None:
        sig = getattr(self.dut, name)
        sig.value = 1
        await ClockCycles(self.dut.clk, cycles)
        sig.value = 0
        await RisingEdge(self.dut.clk)

    # ---------------- bulk files ----------------
    async def load(
        self,
        rd_cmds: list[tuple[int, int]] = (),
        wr_cmds: list[tuple[int, int]] = (),
        src: np.ndarray | None = None,
        strb: np.ndarray | None = None,
    ) -> None:
        """Write self.mem, the source beats (data [n, nb] uint8 and strobes [n] ints) and the
        command tables to the files, then pulse load_req."""
        nb = self.nb
        (self.cwd / "mem_load.hex").write_text(_words_hex(self.mem, nb))
        if src is None:
            src, strb = np.zeros((1, nb), np.uint8), np.zeros(1, np.uint64)
        digits = -(-nb // 4)
        body = _words_hex(src, nb).split()
        lines = [f"{int(s):0{digits}x}{b}" for s, b in zip(strb, body, strict=True)]
        lines += ["0"] * (self.cap_depth - len(lines))  # full range: no $readmemh warning
        (self.cwd / "src_load.hex").write_text("\n".join(lines) + "\n")
        for name, cmds in (("rd_cmds.hex", rd_cmds), ("wr_cmds.hex", wr_cmds)):
            assert len(cmds) <= self.tab_depth
            rows = [f"{ln:08x}{a:08x}" for a, ln in cmds] + ["0"] * (self.tab_depth - len(cmds))
            (self.cwd / name).write_text("\n".join(rows) + "\n")
        await self.pulse("load_req")

    async def dump(self, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Memory model bytes [lo, hi) (bus-aligned) through $writememh."""
        hi = self.mem_bytes if hi is None else hi
        self.knobs(cfg_dump_lo=lo, cfg_dump_hi=hi)
        await self.pulse("dump_req")
        words = _read_words(self.cwd / "mem_dump.hex")
        raw = np.frombuffer(bytes.fromhex("".join(words)), np.uint8).reshape(-1, self.nb)[:, ::-1]
        assert raw.shape[0] == (hi - lo) // self.nb, f"dump gave {raw.shape[0]} words"
        return raw.reshape(-1)

    async def capture(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Captured reader beats: (data [n, nb] uint8, last [n] bool, err [n] bool)."""
        n = self.v("cap_count")
        if n == 0:
            return np.zeros((0, self.nb), np.uint8), np.zeros(0, bool), np.zeros(0, bool)
        assert n <= self.cap_depth, "capture memory overflowed"
        await self.pulse("cap_dump_req")
        words = _read_words(self.cwd / "cap_dump.hex")
        assert len(words) == n
        flags = np.array([int(w[0], 16) for w in words])
        data = np.frombuffer(bytes.fromhex("".join(w[1:] for w in words)), np.uint8)
        return data.reshape(n, self.nb)[:, ::-1], (flags & 1) != 0, (flags & 2) != 0

    # ---------------- runs ----------------
    async def start_tables(self, n_rd: int, n_wr: int, src_beats: int = 0) -> None:
        """Restart counters, source and tables; the tables run from the next cycle on."""
        self.knobs(rd_tab_n=n_rd, wr_tab_n=n_wr, src_beats=src_beats)
        await self.pulse("stream_reset")

    async def wait_for(self, cond, what: str, timeout: int = 400_000, step: int = 16) -> int:
        """Poll cond() every `step` cycles; return the cycles waited."""
        waited = 0
        while not cond():
            await ClockCycles(self.dut.clk, step)
            waited += step
            assert waited < timeout, f"timeout waiting for {what}"
        return waited

    async def wait_idle(self, what: str = "idle", timeout: int = 400_000) -> None:
        def idle() -> bool:
            return not (self.v("rd_busy") or self.v("wr_busy"))

        await self.wait_for(idle, what, timeout)

    async def finish(self) -> None:
        """End of every test: bus quiet, nothing outstanding, no protocol violation."""
        await self.wait_idle("busy to fall at the end")
        await ClockCycles(self.dut.clk, 8)
        assert self.v("violation") == 0, f"AXI protocol checker: {self.v('violations')} violations"
        assert self.v("rd_outstanding") == 0, "read bursts left outstanding"
        assert self.v("wr_outstanding") == 0, "write bursts left outstanding"

    # ---------------- expectations ----------------
    def rand_cmds(self, lens: list[int], lo: int, hi: int, cross: float = 0.3) -> list[tuple[int, int]]:
        """Commands of the given lengths placed one after the other without overlap in [lo, hi)
        with random gaps; a fraction `cross` is moved to just below a 4 KB boundary."""
        r, nb = self.rng, self.nb
        cmds, cursor = [], lo
        for ln in lens:
            size = nbeats(ln, nb) * nb
            addr = cursor + nb * int(r.integers(0, 8))
            cand = (addr // 4096 + 1) * 4096 - nb * int(r.integers(1, 8))
            if r.random() < cross and cand + size <= hi:
                addr = cand
            assert addr + size <= hi, "commands do not fit in the region"
            cmds.append((addr, ln))
            cursor = addr + size
        return cmds

    def expect_stream(self, cmds: list[tuple[int, int]], mem: np.ndarray | None = None):
        """Reader beats for cmds: (data [n, nb], last [n])."""
        mem = self.mem if mem is None else mem
        nb = self.nb
        fcov.sample_dma_cmds("read", cmds, nb, self.max_burst)
        parts, last = [], []
        for a, ln in cmds:
            k = nbeats(ln, nb)
            parts.append(mem[a : a + k * nb].reshape(k, nb))
            last += [False] * (k - 1) + [True]
        if not parts:
            return np.zeros((0, nb), np.uint8), np.zeros(0, bool)
        assert len(last) <= self.cap_depth, f"{len(last)} beats: more than the capture memory holds"
        return np.concatenate(parts), np.array(last)

    def n_bursts(self, cmds: list[tuple[int, int]]) -> int:
        return sum(len(bursts(a, nbeats(ln, self.nb), self.nb, self.max_burst)) for a, ln in cmds)

    def apply_writes(
        self,
        mem: np.ndarray,
        cmds: list[tuple[int, int]],
        src: np.ndarray,
        strb: np.ndarray,
        err: tuple[int, int] = (0, 0),
        max_beats: int | None = None,
    ) -> int:
        """Apply the writer's effect on mem in place: beats taken from src/strb in order, byte
        masks from the strobe and the length, SLVERR range per the memory model (a burst's beats
        from the first in the range on are dropped), at most max_beats beats. Returns beats used."""
        nb = self.nb
        fcov.sample_dma_cmds("write", cmds, nb, self.max_burst)
        lanes = np.arange(nb, dtype=np.uint64)
        i = 0
        for a, ln in cmds:
            off = 0
            for ba, n in bursts(a, nbeats(ln, nb), nb, self.max_burst):
                dropped = False
                for j in range(n):
                    if max_beats is not None and i >= max_beats:
                        return i
                    beat_addr = ba + j * nb
                    dropped = dropped or (err[1] > err[0] and err[0] <= beat_addr < err[1])
                    mask = ((int(strb[i]) >> lanes) & 1).astype(bool)
                    mask &= off + np.arange(nb) < ln
                    if not dropped:
                        mem[beat_addr : beat_addr + nb][mask] = src[i][mask]
                    i += 1
                    off += nb
        return i


# ---------------- test helpers ----------------
def rand_lens(tb: DmaTB, n: int, max_len: int) -> list[int]:
    return [int(x) for x in tb.rng.integers(1, max_len + 1, n)]


def random_strobes(tb: DmaTB, n: int) -> np.ndarray:
    """Per beat: all ones (50 %), random bytes (40 %) or none (10 %)."""
    full = (1 << tb.nb) - 1
    pick = tb.rng.random(n)
    rand = tb.rng.integers(0, 2**32, (n, 2), dtype=np.uint64)
    rnd = ((rand[:, 0] << np.uint64(32)) | rand[:, 1]) & np.uint64(full)
    return np.where(pick < 0.5, np.uint64(full), np.where(pick < 0.9, rnd, np.uint64(0)))


def check_stream(tb: DmaTB, got, want_data, want_last, want_err=None) -> None:
    data, last, err = got
    assert data.shape == want_data.shape, f"captured {data.shape[0]} beats, want {want_data.shape[0]}"
    bad = np.nonzero((data != want_data).any(axis=1))[0]
    assert bad.size == 0, f"{bad.size} stream beats differ, first at beat {bad[:1]}"
    assert np.array_equal(last, want_last), "out_last on the wrong beats"
    want_err = np.zeros_like(last) if want_err is None else want_err
    assert np.array_equal(err, want_err), "out_err on the wrong beats"


async def check_mem(tb: DmaTB, want: np.ndarray, lo: int = 0, hi: int | None = None) -> None:
    hi = tb.mem_bytes if hi is None else hi
    got = await tb.dump(lo, hi)
    bad = np.nonzero(got != want[lo:hi])[0]
    assert bad.size == 0, f"{bad.size} bytes differ, first at {lo + int(bad[0]):#x}" if bad.size else ""


async def run_reads(tb: DmaTB, cmds, n_last: int) -> None:
    await tb.load(rd_cmds=cmds)
    await tb.start_tables(len(cmds), 0)
    await tb.wait_for(lambda: tb.v("last_count") >= n_last and not tb.v("rd_busy"), "reads")


async def run_writes(tb: DmaTB, cmds, src, strb, n_done: int) -> None:
    await tb.load(wr_cmds=cmds, src=src, strb=strb)
    await tb.start_tables(0, len(cmds), src_beats=len(strb))
    await tb.wait_for(lambda: tb.v("wr_done_count") >= n_done and not tb.v("wr_busy"), "writes")


def source(tb: DmaTB, cmds, strobes: bool = True):
    n = sum(nbeats(ln, tb.nb) for _, ln in cmds)
    assert n <= tb.cap_depth, f"{n} source beats: more than the source memory holds"
    src = tb.rng.integers(0, 256, (n, tb.nb), dtype=np.uint8)
    strb = random_strobes(tb, n) if strobes else np.full(n, (1 << tb.nb) - 1, np.uint64)
    return src, strb
