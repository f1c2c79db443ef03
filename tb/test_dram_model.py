"""The DRAM timing memory model alone (tb/hdl/dram_model.v in tb/hdl/dram_harness.v).

Request streams (directed: one-beat reads, row hits, bank conflicts, bank interleave, refresh
collisions, read/write turnarounds, a full queue, bursts up to a 4 KB boundary and across atoms,
error ranges; and random mixes) run from tables through a table-driven AXI master. Every
handshake the harness logs (AR, AW, W, R, B) must fall on exactly the edge the Python twin
(models/cycle/dram_axi.py ``simulate``) predicts, every R beat's data and response must equal a
Python memory image's, and the memory dumped at the end must equal the image with the writes
applied. An AXI protocol checker watches the bus. Each run logs its replay seed.
"""

from __future__ import annotations

from pathlib import Path

import cocotb
import numpy as np
import pytest
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge

from models.cycle.dram_axi import Request, simulate
from models.cycle.dram_timing import DramParams, chip_params
from tb.env.mem_image import MemImage
from tb.env.seeds import log_seed

BUS = 8  # bytes per beat (BUS_W 64)
PAGE = 4096
_FIELDS = ("cl", "cwl", "rcd", "rp", "ras", "rtp", "wtr", "wr", "ccd", "rtw", "burst", "ctrl", "rfc", "refi")


def params_of(dut) -> DramParams:
    """The DramParams the harness was built with (from its Verilog parameters)."""
    g = {f: int(getattr(dut, f"T_{f.upper()}").value) for f in _FIELDS}
    return DramParams(
        **g,
        banks=int(dut.BANKS.value),
        row_bytes=int(dut.ROW_BYTES.value),
        atom_bytes=int(dut.ATOM_BYTES.value),
        bus_bytes=BUS,
        queue_depth=int(dut.QUEUE_DEPTH.value),
    )


class DramTB:
    def __init__(self, dut) -> None:
        self.dut = dut
        self.seed = log_seed(dut)
        self.rng = np.random.default_rng(self.seed)
        self.p = params_of(dut)
        self.mem_bytes = int(dut.MEM_BYTES.value)
        Clock(dut.clk, 10, unit="ns").start()
        self.image = MemImage(size=self.mem_bytes, word_bytes=BUS)
        self.image.data[:] = self.rng.integers(0, 256, self.mem_bytes, dtype=np.uint8)

    async def run(
        self,
        name: str,
        reqs: list[Request],
        wdata: list[tuple[int, int]] | None = None,
        err: tuple[int, int] = (0, 0),
    ) -> None:
        """Run one stream from reset; check every handshake edge, every R beat, the final memory."""
        d, p, work = self.dut, self.p, Path.cwd()
        reads = [r for r in reqs if not r.write]
        writes = [r for r in reqs if r.write]
        for r in reqs:
            assert r.addr % BUS == 0 and 1 <= r.beats <= 256, r
            assert r.addr // PAGE == (r.addr + r.beats * BUS - 1) // PAGE, f"{r} crosses 4 KB"
        n_w = sum(r.beats for r in writes)
        if wdata is None:
            vals = self.rng.integers(0, 2**63, n_w, dtype=np.int64)
            strbs = np.where(self.rng.random(n_w) < 0.7, 0xFF, self.rng.integers(0, 256, n_w))
            wdata = [(int(s), int(v)) for s, v in zip(strbs, vals, strict=True)]
        assert len(wdata) == n_w
        self.image.write_hex(work / "mem_load.hex")
        for fname, lst in (("ar_tab.hex", reads), ("aw_tab.hex", writes)):
            lines = [f"{r.offer:08x}{r.addr:08x}{r.beats - 1:02x}" for r in lst] or ["0" * 18]
            (work / fname).write_text("\n".join(lines) + "\n")
        (work / "w_tab.hex").write_text("\n".join(f"{s:02x}{v:016x}" for s, v in wdata or [(0, 0)]) + "\n")
        d.n_ar.value, d.n_aw.value = len(reads), len(writes)
        d.n_rbeats.value = sum(r.beats for r in reads)
        d.n_wbeats.value = n_w
        d.cfg_err_lo.value, d.cfg_err_hi.value = err
        d.dump_req.value = 0
        d.rst.value, d.load_req.value = 1, 0
        await ClockCycles(d.clk, 3)
        d.rst.value, d.load_req.value = 0, 1  # edge 1 after reset: tables and memory loaded
        await RisingEdge(d.clk)
        d.load_req.value = 0
        twin = simulate(p, reqs)
        timeout = twin.r[-1] if twin.r else 0
        timeout = max(timeout, twin.b[-1] if twin.b else 0) + 1000
        waited = 0
        while int(d.finished.value) == 0:
            await ClockCycles(d.clk, 32)
            waited += 32
            assert waited < timeout, f"{name}: not finished after {waited} cycles (twin: {timeout - 1000})"
        d.dump_req.value = 1
        await RisingEdge(d.clk)
        d.dump_req.value = 0
        await ClockCycles(d.clk, 2)
        log = {k: [] for k in ("AR", "AW", "W", "R", "B")}
        for line in (work / "dram_log.txt").read_text().split("\n"):
            if line:
                f = line.split()
                log[f[0]].append(f[1:])
        # ---- timing: every handshake on the twin's edge ----
        for key, want in (("AR", twin.ar), ("AW", twin.aw), ("W", twin.w), ("R", twin.r), ("B", twin.b)):
            got = [int(f[0]) for f in log[key]]
            if got != want:
                i = next(
                    (i for i, (x, y) in enumerate(zip(got, want, strict=False)) if x != y),
                    min(len(got), len(want)),
                )
                raise AssertionError(
                    f"{name}: {key} handshake {i} at edge {got[i] if i < len(got) else None}, twin "
                    f"{want[i] if i < len(want) else None} ({len(got)} vs {len(want)} handshakes)"
                )
        expect = self.image.data.copy()
        k = 0
        for i, w in enumerate(writes):
            resp = 0
            for j in range(w.beats):
                a = w.addr + j * BUS
                if a + BUS > self.mem_bytes:
                    resp = 3
                elif err[0] <= a < err[1]:
                    resp = 3 if resp == 3 else 2
                strb, val = wdata[k]
                k += 1
                if resp == 0:
                    for b in range(BUS):
                        if strb >> b & 1:
                            expect[a + b] = (val >> (8 * b)) & 0xFF
            assert int(log["B"][i][1]) == resp, f"{name}: {w}: BRESP {log['B'][i][1]}, want {resp}"
        # ---- data: R beats against the image with the writes applied (a stream never reads
        # an address while a write to it is in flight) ----
        beat = 0
        for r in reads:
            for j in range(r.beats):
                a = r.addr + j * BUS
                resp, last, data = int(log["R"][beat][1]), int(log["R"][beat][2]), int(log["R"][beat][3], 16)
                inside = a + BUS <= self.mem_bytes
                want_resp = 3 if not inside else (2 if err[0] <= a < err[1] else 0)
                want_data = int.from_bytes(expect[a : a + BUS].tobytes(), "little") if inside else 0
                assert (resp, last) == (want_resp, int(j == r.beats - 1)), (
                    f"{name}: {r} beat {j}: {resp=} {last=}"
                )
                assert data == want_data, f"{name}: {r} beat {j}: {data:#018x}, memory {want_data:#018x}"
                beat += 1
        got = MemImage(size=self.mem_bytes, word_bytes=BUS)
        got.read_hex(work / "mem_dump.hex")
        bad = np.flatnonzero(got.data != expect)
        assert bad.size == 0, f"{name}: {bad.size} bytes of memory differ, first at {bad[0]:#x}"
        self.image.data = expect
        assert int(d.violation.value) == 0, f"{name}: AXI protocol violation (see log)"
        assert int(d.rd_outstanding.value) == 0 and int(d.wr_outstanding.value) == 0
        st = twin.stats
        last = max([0, *twin.r, *twin.b])
        d._log.info(
            "%s: %d reads, %d writes, last handshake edge %d = twin; atoms %d rd %d wr, hits %d, "
            "misses %d, conflicts %d, refreshes %d",
            name, len(reads), len(writes), last, st["rd_atoms"], st["wr_atoms"], st["hits"],
            st["misses"], st["conflicts"], st["refreshes"],
        )  # fmt: skip


def _fits(addr: int, beats: int) -> int:
    """``beats`` cut so that the burst stays inside its 4 KB page."""
    return min(beats, (PAGE - addr % PAGE) // BUS)


def random_stream(rng: np.random.Generator, p: DramParams, mem_bytes: int, n: int) -> list[Request]:
    """Reads from the lower half, writes to the upper half, random sizes and offer gaps."""
    half = mem_bytes // 2
    out, t = [], 2
    for _ in range(n):
        t += int(rng.choice([0, 0, 0, 1, 2, 5, 20, min(400, 3 * p.refi // 4)]))
        write = bool(rng.random() < 0.35)
        beats = 1 if rng.random() < 0.4 else int(rng.choice([2, 3, 4, 7, 8, 9, 16, 31, 64, 256]))
        base = half if write else 0
        addr = base + int(rng.integers(0, (half - 2048) // BUS)) * BUS
        out.append(Request(t, write, addr, _fits(addr, beats)))
    return out


@cocotb.test()
async def test_directed(dut):
    """Row hits and misses, bank conflicts, refresh collisions, turnarounds, a full queue, 4 KB
    boundaries, one-beat reads, error ranges: every beat on the twin's cycle, data bit for bit."""
    tb = DramTB(dut)
    p, mb = tb.p, tb.mem_bytes
    row_set = p.row_bytes * p.banks  # bytes from one row of a bank to the next row of it
    half = mb // 2
    await tb.run("one-beat reads", [Request(2, False, i * BUS, 1) for i in range(200)])
    await tb.run("row hits, 8-beat", [Request(2, False, i * 64, 8) for i in range(40)])
    conflicts = [Request(2 + i, False, (i % 2) * row_set + (i // 2) * 64, 8) for i in range(24)]
    await tb.run("bank conflicts", conflicts)
    banks = [Request(2, False, (i % p.banks) * p.row_bytes + (i // p.banks) * 64, 4) for i in range(32)]
    await tb.run("bank interleave", banks)
    turn = [
        Request(2 + i // 2, i % 2 == 1, (half if i % 2 else 0) + i * 64, (1, 2, 8)[i % 3]) for i in range(40)
    ]
    await tb.run("read/write turnarounds", turn)
    many = [Request(2, False, i * 24, 3) for i in range(100)] + [
        Request(2, True, half + i * 64, 8) for i in range(50)
    ]
    await tb.run("queue full", many)
    edges = []
    for k, beats in enumerate((1, 3, 16, 100, 256)):
        edges.append(Request(2, False, (k + 1) * PAGE - beats * BUS, beats))  # ends at a 4 KB page
        edges.append(Request(2, True, half + (k + 1) * PAGE - beats * BUS, beats))
        edges.append(Request(2, False, 8 * PAGE + k * 512 + 56, min(beats, 60)))  # straddles atoms
    await tb.run("4 KB boundaries, atom straddles", edges)
    n_ref = max(4, 4 * p.refi // 20)
    refresh = [
        Request(2 + 20 * i + (i * 7) % 13, i % 5 == 4, (half if i % 5 == 4 else 0) + 64 * i, 2)
        for i in range(n_ref)
    ]
    await tb.run("refresh collisions", refresh)
    # writes, then reads of what was written, in one stream (the reads offered after the B)
    wr = [Request(2 + i, True, half + 4096 + 72 * i, 5) for i in range(16)]
    first = simulate(p, wr)
    back = [Request(first.b[-1] + 1 + i, False, half + 4096 + 72 * i, 5) for i in range(16)]
    await tb.run("write, then read back", wr + back)
    # error responses: SLVERR range, and DECERR past the end of the memory
    errs = [Request(2, False, 0x100 + 64 * i, 4) for i in range(8)] + [
        Request(2, True, half + 64 * i, 4) for i in range(8)
    ]
    errs += [Request(3, False, mb, 2), Request(3, True, mb + 64, 2)]
    await tb.run("error responses", errs, err=(0x180, 0x1C0))
    await tb.run("error responses (writes)", errs, err=(half + 0x80, half + 0x90))


@cocotb.test()
async def test_random(dut):
    """Random mixes of reads and writes, sizes and offer gaps against the twin."""
    tb = DramTB(dut)
    for i in range(4):
        await tb.run(f"random stream {i}", random_stream(tb.rng, tb.p, tb.mem_bytes, 300))


# builds: the default grade at the assumed clock, the same grade at 1 GHz with a 4-entry queue
# (one-beat reads cost whole atoms, the queue fills), and a tight set (refresh every 97 cycles,
# 4 banks of 512-byte rows) where refreshes, conflicts and turnarounds collide all the time
BUILDS = {
    "ddr3_100mhz": chip_params(),
    "ddr3_1ghz_q4": chip_params(chip_khz=1_000_000, queue_depth=4),
    "tight": DramParams(
        cl=3, cwl=2, rcd=3, rp=2, ras=5, rtp=2, wtr=2, wr=3, ccd=2, rtw=3, burst=2, ctrl=0, rfc=11, refi=97,
        banks=4, row_bytes=512, atom_bytes=64, bus_bytes=8, queue_depth=6,
    ),
}  # fmt: skip
SOURCES = ["tb/hdl/dram_model.v", "tb/hdl/axi_protocol_checker.v", "tb/hdl/dram_harness.v"]


@pytest.mark.parametrize("build", list(BUILDS))
def test_dram_model_rtl(build: str) -> None:
    from tb.env.sim import run_cocotb

    params = {"BUS_W": 64, "MEM_BYTES": 1 << 18, **BUILDS[build].hdl_parameters()}
    run_cocotb("dram_harness", SOURCES, "tb.test_dram_model", params, f"dram_{build}")
