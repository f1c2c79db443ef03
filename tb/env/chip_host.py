"""The host's view of the whole chip (tb/hdl/chip_harness.v): registers through cocotb-bus's
AXI4LiteMaster, operands through the memory model's bulk file load/dump, completion by the
interrupt line. Register names, fields and error codes come from rtl/regmap.json
(``models.chip.regmap.REGMAP``), never from numbers typed here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, First, RisingEdge, Timer
from cocotb.utils import get_sim_time
from cocotb_bus.drivers.amba import AXI4LiteMaster, AXIProtocolError

from models.chip.regmap import REGMAP
from models.cycle.chain_timing import chain_engine_cycles
from models.cycle.cycle_engine import COUNTERS, engine_cycles
from models.cycle.mem_timing import DramMemory, IdealMemory
from tb.env import coverage_model as fcov
from tb.env.chain import DESC_REGS
from tb.env.chip_tb import FLAG_INT8, GemmCase, GemmLayout, build, check_and_record, read_addrs, zero_blocks
from tb.env.mem_image import MemImage
from tb.env.mem_model import describe, dram_params, mem_model
from tb.env.seeds import current_test, log_seed, run_seed

# Watchdog of every wait for a GEMM or a chain: WATCHDOG_FACTOR x the cycle model's prediction
# (models/cycle/cycle_engine.py; models/cycle/chain_timing.py for chains) plus WATCHDOG_MARGIN
# cycles. The random stall knob is not in the model: the bound is widened by 1 / (1 - p)^2 for
# a stall probability p < 1 (p = 100 % is the hang knob: the memory never answers, nothing added).
WATCHDOG_FACTOR = 4
CLK_NS = 10  # the harness clock's period in the simulation (any value: every figure is in cycles)
WATCHDOG_MARGIN = 2_000
# the probes of tb/hdl/chip_harness.v counting back-pressure per AXI channel
_BP = {"ar": "bp_ar", "aw": "bp_aw", "w": "bp_w", "r_held": "bp_r", "b_held": "bp_b"}
_PHASE_BITS = fcov.PHASES  # bit i of chip_harness.phase


class WatchdogError(AssertionError):
    """A GEMM or chain ran past its watchdog bound (the chip is stuck or far off its model)."""


def phase_names(bits: int) -> set[str]:
    return {p for i, p in enumerate(_PHASE_BITS) if bits >> i & 1}


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
        Clock(dut.clk, CLK_NS, unit="ns").start()
        self.axi = AXI4LiteMaster(dut, "s_axi", dut.clk)
        self.knobs = MemKnobs()
        self.kmax = int(dut.KMAX.value)
        self.a_panels = int(dut.A_PANELS.value)
        self.test_name = current_test()  # for watchdog messages
        fcov.sample_build((self.array_n, self.bus_w))
        self.mem_model = mem_model()  # "ideal" or "dram" (MEM=...; tb/env/mem_model.py)
        self.memory = describe(self.bus_w)
        self.last_gemm: tuple[MemImage, GemmLayout] | None = None  # latest gemm()'s image, layout

    # ---------------- reset, knobs, memory ----------------
    async def reset(self, knobs: MemKnobs | None = None) -> None:
        d = self.dut
        running = d.rst.value.is_resolvable and int(d.rst.value) == 0
        busy = phase_names(int(d.phase.value)) if running else set()
        if busy:  # a hard reset in the middle of a run: which phases it hit
            fcov.sample_reset("hard", busy)
        for s in ("load_req", "dump_req"):
            getattr(d, s).value = 0
        self.set_knobs(knobs or MemKnobs())
        d.cfg_seed.value = int(self.rng.integers(1, 2**31))
        d.rst.value = 1
        await ClockCycles(d.clk, 4)
        d.rst.value = 0
        await RisingEdge(d.clk)

    def set_knobs(self, k: MemKnobs) -> None:
        self.knobs = k  # recorded with every GEMM (tb/env/results.py: mem_latency ...)
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

    read_bursts = True  # CTRL.read_bursts of every start (a test may set it per host)

    async def start(self, overlap: bool = True, chain: bool = False) -> None:
        ctrl = REGMAP.encode(
            "CTRL", start=1, irq_enable=1, overlap_enable=int(overlap), chain_enable=int(chain),
            read_bursts=int(self.read_bursts),
        )  # fmt: skip
        assert await self.write("CTRL", ctrl)

    def _engine_args(self, case: GemmCase, lay: GemmLayout, overlap: bool = True) -> dict:
        """``engine_cycles`` keywords of ``case`` as laid out, at the current memory knobs."""
        kn = self.knobs
        zb = {tuple(map(int, z)) for z in np.argwhere(zero_blocks(lay.b, self.array_n))}
        return dict(
            m=case.m, n=case.n, k=case.k, array_n=self.array_n, bus_w_bytes=self.word,
            read_latency=max(1, kn.rd_latency), write_latency=max(1, kn.wr_latency),
            beat_gap=kn.beat_gap, flags=case.flags, overlap=overlap,
            zero_blocks=zb if case.flags & 16 else None, c_addr=lay.c_addr, ldc=lay.ldc,
            a_panels=self.a_panels, kmax=self.kmax, addrs=read_addrs(lay), read_bursts=self.read_bursts,
        )  # fmt: skip

    def mem_timing(self) -> DramMemory | IdealMemory:
        """A fresh timing model of the harness's memory (idle DRAM, as after reset or a load)."""
        if self.mem_model == "dram":
            return DramMemory(dram_params(self.word))
        kn = self.knobs
        return IdealMemory(max(1, kn.rd_latency), max(1, kn.wr_latency), kn.beat_gap)

    def predict(self, case: GemmCase, lay: GemmLayout, overlap: bool = True) -> int:
        """The cycle model's PERF_CYCLES of ``case`` as laid out, at the current memory knobs."""
        kw = self._engine_args(case, lay, overlap)
        return engine_cycles(kw.pop("m"), kw.pop("n"), kw.pop("k"), **kw, mem=self.mem_timing())["total"]

    def predict_chain(self, cases: list[GemmCase], lays: list[GemmLayout], descs: list[int]) -> int:
        """The cycle model's PERF_CYCLES of a descriptor chain whose descriptors lie at ``descs``
        (``chain_engine_cycles``: exact on either memory model)."""
        gemms = [self._engine_args(c, lay) for c, lay in zip(cases, lays, strict=True)]
        for g in gemms:
            del g["bus_w_bytes"], g["read_bursts"]
        return chain_engine_cycles(
            gemms, descs, self.mem_timing(), bus_w_bytes=self.word, read_bursts=self.read_bursts
        )["total"]

    async def run_chain(
        self, mem: MemImage, cases: list[GemmCase], lays: list[GemmLayout], descs: list[int],
        what: str, predicted: int | None = None,
    ) -> tuple[dict[str, int], int]:  # fmt: skip
        """Run a descriptor chain already laid in ``mem`` (``tb.env.chain.chain_descriptors``):
        load the image, START at ``descs[0]``, wait for the interrupt within the watchdog of the
        prediction (``predict_chain`` unless ``predicted`` is given), require done without error,
        read the counters, clear the status and dump the memory back into ``mem``. Returns the
        counters and the prediction."""
        await self.load(mem)
        assert await self.write("CHAIN_ADDR", descs[0])
        if predicted is None:
            predicted = self.predict_chain(cases, lays, descs)
        await self.start(chain=True)
        await self.wait_irq(self.watchdog(predicted), what, predicted)
        st = await self.status()
        assert st["done"] == 1 and st["error"] == 0, f"{what}: status {st}"
        counters = await self.counters()
        await self.clear_status()
        await self.dump(mem)
        return counters, predicted

    def watchdog(self, predicted: int) -> int:
        """The cycle bound of a wait for a job (one GEMM or a chain) the cycle model predicts at
        ``predicted`` cycles (exact on either memory without random stalls)."""
        p = self.knobs.stall_pct / 100
        stretch = 1 / (1 - p) ** 2 if p < 1 else 1.0
        return int(WATCHDOG_FACTOR * predicted * stretch) + WATCHDOG_MARGIN

    async def wait_irq(self, timeout: int, what: str = "the job", predicted: int | None = None) -> int:
        """Cycles waited until the interrupt line rose (an edge trigger with a timer beside it: no
        Python runs while the chip works, no bus traffic); WatchdogError naming the job, the
        prediction, the cycles waited and the replay seed when ``timeout`` cycles pass first.
        Returns on the clock edge after the interrupt, as a polling host would."""
        if int(self.dut.irq.value):
            return 0
        t0 = get_sim_time("ns")
        await First(RisingEdge(self.dut.irq), Timer(timeout * CLK_NS, unit="ns"))
        waited = round((get_sim_time("ns") - t0) / CLK_NS)
        if int(self.dut.irq.value) == 0:
            phase = sorted(phase_names(int(self.dut.phase.value)))
            raise WatchdogError(
                f"WATCHDOG: {what}: no interrupt after {waited} cycles (predicted {predicted} by "
                f"the cycle model, bound {timeout}); phase {phase}; "
                f"replay: SEED={run_seed()} TESTCASE={self.test_name or '<this test>'}"
            )
        await RisingEdge(self.dut.clk)
        return waited

    def backpressure(self) -> dict[str, int]:
        """Back-pressure cycle counters of the AXI channels since the last hard reset."""
        return {k: int(getattr(self.dut, s).value) for k, s in _BP.items()}

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
        self.scramble_c(mem, lay, case)
        return mem, lay

    def scramble_c(self, mem: MemImage, lay: GemmLayout, case: GemmCase) -> None:
        """C's rows and the padding between them as random bytes (a result the chip never wrote
        cannot pass for a zero)."""
        elem = 1 if case.flags & FLAG_INT8 else 4
        c_end = lay.c_addr + (case.m - 1) * lay.ldc + case.n * elem
        mem.data[lay.c_addr : c_end] = self.rng.integers(0, 256, c_end - lay.c_addr, dtype=np.uint8)

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
        self,
        case: GemmCase,
        test: str,
        overlap: bool = True,
        timeout: int = 4_000_000,
        mem: MemImage | None = None,
        prepared: tuple[MemImage, GemmLayout] | None = None,
        **extra,
    ) -> dict[str, int]:
        """Random operands for ``case`` in memory (``mem``: an image to place them in, e.g. with
        space already taken to move them to a 4 KB page end; ``prepared``: operands placed by the
        caller), run through the registers, check C bit for bit against the golden model, record
        the chip's counters; return the counters."""
        mem, lay = prepared or self.layout(case, mem)
        self.last_gemm = (mem, lay)
        before = mem.data.copy()
        predicted = self.predict(case, lay, overlap)
        bound = min(timeout, self.watchdog(predicted))
        bp0 = self.backpressure()
        await self.load(mem)
        await self.program(lay.regs)
        ar_before = int(self.dut.rd_bursts.value)
        await self.start(overlap=overlap)
        self.t_start = get_sim_time("ns")
        await self.wait_irq(bound, f"GEMM {case}", predicted)
        st = await self.status()
        assert st["done"] == 1 and st["error"] == 0, (
            f"{case}: status {st} ({REGMAP.error_name(st['error_code'])})"
        )
        counters = await self.counters()
        counters["ar_bursts"] = int(self.dut.rd_bursts.value) - ar_before  # AXI read bursts (checker)
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
        extra = {**mem_fields, "memory": self.memory, "read_bursts": self.read_bursts, **extra}
        try:
            check_and_record(mem, lay, case, test, counters, self.array_n, self.bus_w, overlap, **extra)
        except AssertionError:
            self.locate_first_wrong_write(mem, lay, case)
            raise
        bp = {k for k, v in self.backpressure().items() if v > bp0[k]}
        zm = zero_blocks(lay.b, self.array_n)
        fcov.sample_gemm(case, self.array_n, self.kmax, overlap, kn, zm, bp)
        self.dut._log.info("%s: %s (cycle model %d)", case, counters, predicted)
        return counters

    def locate_first_wrong_write(self, mem: MemImage, lay: GemmLayout, case: GemmCase) -> str:
        """Log where and when the first wrong C element was written: address, row, row tile and
        column tile, and the simulation time and cycle since START of the write (the memory
        model's per-word write time, tb/hdl/axi_mem_model.v), so a wave viewer can jump there."""
        elem = 1 if case.flags & FLAG_INT8 else 4
        got = mem.get_matrix(lay.c_addr, case.m, case.n, lay.ldc, elem)
        bad = np.argwhere(got != lay.expect)[:256]
        hits = []
        if self.mem_model != "ideal":  # only the ideal model stamps its writes
            msg = f"first wrong C element C[{bad[0][0]}][{bad[0][1]}] (write times: MEM=ideal only)"
            self.dut._log.error(msg)
            return msg
        for r, c in bad:
            addr = lay.c_addr + int(r) * lay.ldc + int(c) * elem
            t = int(self.dut.g_ideal.u_mem.wr_time[addr // self.word].value)
            hits.append((t if t else 1 << 62, int(r), int(c), addr))
        if not hits:
            return ""
        t, r, c, addr = min(hits)
        n = self.array_n
        where = f"C[{r}][{c}] at {addr:#x} (row {r}, row tile {r // n}, column tile {c // n})"
        if t == 1 << 62:
            msg = f"first wrong C element {where}: never written by the chip"
        else:
            cyc = (t - getattr(self, "t_start", 0)) // 10
            msg = f"first wrong write: {where} at sim time {t} ns, cycle {cyc} after START"
        self.dut._log.error(msg)
        return msg

    async def soft_reset(self) -> set[str]:
        """CTRL.soft_reset (interrupt and overlap stay enabled); the controller phases it hit, as
        the harness latched them when the pulse reached the controller (sampled for coverage)."""
        before = int(self.dut.soft_resets.value)
        assert await self.write("CTRL", REGMAP.encode("CTRL", soft_reset=1, irq_enable=1, overlap_enable=1))
        await ClockCycles(self.dut.clk, 2)
        assert int(self.dut.soft_resets.value) > before, "the soft reset pulse never reached the controller"
        hit = phase_names(int(self.dut.soft_reset_phase.value))
        if hit:
            fcov.sample_reset("soft", hit)
        return hit

    async def expect_error(self, name: str) -> None:
        """The chip is idle, reports error ``name`` (a regmap error code) and raised its interrupt."""
        st = await self.wait_idle()
        want = REGMAP.error_code(name)
        assert st["error"] == 1 and st["error_code"] == want, (
            f"expected error {name} ({want}), status {st} ({REGMAP.error_name(st['error_code'])})"
        )
        fcov.sample_error(name)
        assert int(self.dut.irq.value) == 1, "error did not raise the interrupt"
        await self.clear_status()
        assert int(self.dut.irq.value) == 0
