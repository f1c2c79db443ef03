"""The host's view of the whole chip (tb/hdl/chip_harness.v): registers through cocotb-bus's
AXI4LiteMaster, operands through the memory model's bulk file load/dump, completion by the
interrupt line. Register names, fields and error codes come from rtl/regmap.json
(``models.regmap.REGMAP``), never from numbers typed here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge
from cocotb_bus.drivers.amba import AXI4LiteMaster, AXIProtocolError

from models.cycle_engine import COUNTERS
from models.regmap import REGMAP
from tb.chain import DESC_REGS
from tb.chip_tb import FLAG_INT8, GemmCase, GemmLayout, build, check_and_record
from tb.mem_image import MemImage
from tb.mem_model import describe, mem_model
from tb.seeds import log_seed

# the chip's performance registers of each counter (rtl/regmap.json)
_PERF = ("CYCLES", "COMPUTE", "STALL", "BYTES_RD", "BYTES_WR", "TILES", "TILES_SKIPPED")
PERF_REGS = {c: f"PERF_{r}" for c, r in zip(COUNTERS, _PERF, strict=True)}


@dataclass
class MemKnobs:
    rd_latency: int = 20
    wr_latency: int = 20
    stall_pct: int = 0
    beat_gap: int = 0
    err_lo: int = 0
    err_hi: int = 0


class ChipHost:
    """Clock, reset, register access and one-call GEMMs on the chip harness."""

    def __init__(self, dut) -> None:
        self.dut = dut
        self.seed = log_seed(dut)
        self.rng = np.random.default_rng(self.seed)
        self.array_n = int(dut.ARRAY_N.value)
        self.bus_w = int(dut.BUS_W.value)
        self.word = self.bus_w // 8
        self.mem_bytes = int(dut.MEM_BYTES.value)
        Clock(dut.clk, 10, unit="ns").start()
        self.axi = AXI4LiteMaster(dut, "s_axi", dut.clk)
        self.knobs = MemKnobs()
        self.mem_model = mem_model()  # "ideal" or "dram" (MEM=...; tb/mem_model.py)
        self.memory = describe(self.bus_w)
        self.last_gemm: tuple[MemImage, GemmLayout] | None = None  # latest gemm()'s image, layout

    # ---------------- reset, knobs, memory ----------------
    async def reset(self, knobs: MemKnobs | None = None) -> None:
        d = self.dut
        for s in ("load_req", "dump_req"):
            getattr(d, s).value = 0
        self.set_knobs(knobs or MemKnobs())
        d.cfg_seed.value = int(self.rng.integers(1, 2**31))
        d.rst.value = 1
        await ClockCycles(d.clk, 4)
        d.rst.value = 0
        await RisingEdge(d.clk)

    def set_knobs(self, k: MemKnobs) -> None:
        self.knobs = k  # recorded with every GEMM (tb/results.py: mem_latency ...)
        d = self.dut
        d.cfg_rd_latency.value = k.rd_latency
        d.cfg_wr_latency.value = k.wr_latency
        d.cfg_stall_pct.value = k.stall_pct
        d.cfg_beat_gap.value = k.beat_gap
        d.cfg_err_lo.value = k.err_lo
        d.cfg_err_hi.value = k.err_hi

    def new_image(self) -> MemImage:
        return MemImage(size=self.mem_bytes, word_bytes=self.word)

    async def load(self, mem: MemImage) -> None:
        mem.write_hex(Path.cwd() / "mem_load.hex")
        self.dut.load_req.value = 1
        await RisingEdge(self.dut.clk)
        self.dut.load_req.value = 0

    async def dump(self, mem: MemImage) -> None:
        self.dut.dump_req.value = 1
        await RisingEdge(self.dut.clk)
        self.dut.dump_req.value = 0
        await ClockCycles(self.dut.clk, 2)
        mem.read_hex(Path.cwd() / "mem_dump.hex")

    # ---------------- registers ----------------
    async def write(self, reg: str, value: int) -> bool:
        """Write a register; False when the chip answered SLVERR."""
        try:
            await self.axi.write(REGMAP.offset(reg), int(value) & 0xFFFFFFFF)
        except AXIProtocolError:
            return False
        return True

    async def read(self, reg: str) -> int:
        return int(await self.axi.read(REGMAP.offset(reg)))

    async def status(self) -> dict[str, int]:
        return REGMAP.decode("STATUS", await self.read("STATUS"))

    async def counters(self) -> dict[str, int]:
        out = {}
        for key, reg in PERF_REGS.items():
            try:
                lo = await self.read(reg + "_LO")
                hi = await self.read(reg + "_HI")
                out[key] = lo | (hi << 32)
            except KeyError:
                out[key] = await self.read(reg)
        return out

    async def program(self, regs: dict) -> None:
        for key, value in regs.items():
            assert await self.write(DESC_REGS[key], value), f"write of {DESC_REGS[key]} refused"

    async def start(self, overlap: bool = True, chain: bool = False) -> None:
        ctrl = REGMAP.encode(
            "CTRL", start=1, irq_enable=1, overlap_enable=int(overlap), chain_enable=int(chain)
        )
        assert await self.write("CTRL", ctrl)

    async def wait_irq(self, timeout: int) -> int:
        """Cycles waited until the interrupt line rose (polled every 32 cycles, no bus traffic)."""
        waited = 0
        while int(self.dut.irq.value) == 0:
            await ClockCycles(self.dut.clk, 32)
            waited += 32
            assert waited < timeout, f"no interrupt after {timeout} cycles"
        return waited

    async def wait_idle(self, timeout: int = 100_000) -> dict[str, int]:
        waited = 0
        while True:
            st = await self.status()
            if not st["busy"]:
                return st
            await ClockCycles(self.dut.clk, 32)
            waited += 32
            assert waited < timeout, f"chip still busy after {timeout} cycles"

    async def clear_status(self) -> None:
        assert await self.write("STATUS", REGMAP.encode("STATUS", done=1, error=1))

    async def quiet(self) -> None:
        """No AXI transaction left open on either port, and no protocol violation so far."""
        await ClockCycles(self.dut.clk, 4)
        d = self.dut
        assert int(d.violation.value) == 0, "AXI protocol checker reported a violation (see log)"
        for s in ("rd_outstanding", "wr_outstanding", "lite_rd_outstanding", "lite_wr_outstanding"):
            assert int(getattr(d, s).value) == 0, f"{s} = {int(getattr(d, s).value)} after the run"

    # ---------------- one GEMM ----------------
    def layout(self, case: GemmCase, mem: MemImage | None = None) -> tuple[MemImage, GemmLayout]:
        """Operands placed in memory; C's rows (and the padding between them) filled with random
        bytes, so a result the chip never wrote cannot pass for a zero."""
        mem = mem or self.new_image()
        lay = build(self.rng, mem, case, self.array_n)
        elem = 1 if case.flags & FLAG_INT8 else 4
        c_end = lay.c_addr + (case.m - 1) * lay.ldc + case.n * elem
        mem.data[lay.c_addr : c_end] = self.rng.integers(0, 256, c_end - lay.c_addr, dtype=np.uint8)
        return mem, lay

    @staticmethod
    def c_mask(mem: MemImage, lay: GemmLayout, case: GemmCase) -> np.ndarray:
        """Bytes of memory that hold elements of C."""
        elem = 1 if case.flags & FLAG_INT8 else 4
        mask = np.zeros(mem.size, dtype=bool)
        for r in range(case.m):
            mask[lay.c_addr + r * lay.ldc : lay.c_addr + r * lay.ldc + case.n * elem] = True
        return mask

    @staticmethod
    def assert_untouched(before: np.ndarray, mem: MemImage, mask: np.ndarray, what: str) -> None:
        stray = np.flatnonzero((before != mem.data) & ~mask)
        assert stray.size == 0, f"{what}: {stray.size} bytes outside C changed, first at {stray[0]:#x}"

    async def gemm(
        self, case: GemmCase, test: str, overlap: bool = True, timeout: int = 4_000_000, **extra
    ) -> dict[str, int]:
        """Random operands for ``case`` in memory, run through the registers, check C bit for bit
        against the golden model, record the chip's counters; return the counters."""
        mem, lay = self.layout(case)
        self.last_gemm = (mem, lay)
        before = mem.data.copy()
        await self.load(mem)
        await self.program(lay.regs)
        await self.start(overlap=overlap)
        await self.wait_irq(timeout)
        st = await self.status()
        assert st["done"] == 1 and st["error"] == 0, (
            f"{case}: status {st} ({REGMAP.error_name(st['error_code'])})"
        )
        counters = await self.counters()
        await self.clear_status()
        await self.dump(mem)
        self.assert_untouched(before, mem, self.c_mask(mem, lay, case), str(case))
        kn = self.knobs
        mem_fields = dict(
            mem_latency=kn.rd_latency, mem_wr_latency=kn.wr_latency, stall_prob=kn.stall_pct / 100,
            beat_gap=kn.beat_gap,
        )  # fmt: skip
        if self.mem_model != "ideal":  # the ideal model's knobs mean nothing to the DRAM model
            mem_fields = {}
        extra = {**mem_fields, "memory": self.memory, **extra}
        check_and_record(mem, lay, case, test, counters, self.array_n, self.bus_w, overlap, **extra)
        self.dut._log.info("%s: %s", case, counters)
        return counters

    async def expect_error(self, name: str) -> None:
        """The chip is idle, reports error ``name`` (a regmap error code) and raised its interrupt."""
        st = await self.wait_idle()
        want = REGMAP.error_code(name)
        assert st["error"] == 1 and st["error_code"] == want, (
            f"expected error {name} ({want}), status {st} ({REGMAP.error_name(st['error_code'])})"
        )
        assert int(self.dut.irq.value) == 1, "error did not raise the interrupt"
        await self.clear_status()
        assert int(self.dut.irq.value) == 0
