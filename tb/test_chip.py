"""Whole-chip tests (rtl/csai_chip.v in tb/hdl/chip_harness.v): registers over AXI4-Lite, operands
and results in the AXI memory model, every C bit for bit against models/chip/golden.py, the chip's own
counters recorded per GEMM, protocol checkers on both ports.

``CSAI_CHIP_CASES`` sets how many random GEMMs the regression runs (default 12; ``make regress``
runs more, over several seeds).
"""

from __future__ import annotations

import os
import re

import cocotb
import numpy as np
import pytest
from cocotb.triggers import ClockCycles

from models.chip.regmap import REGMAP
from models.cycle.cycle_engine import engine_cycles
from tb.env import coverage_model as fcov
from tb.env.chain import chain_descriptors, write_chain
from tb.env.chip_host import ChipHost, MemKnobs
from tb.env.chip_tb import (
    FLAG_BIAS,
    FLAG_INT8,
    FLAG_PERCH,
    FLAG_RELU,
    FLAG_SPARSE,
    GemmCase,
    check_and_record,
    check_c,
    read_addrs,
    zero_blocks,
)

INTERESTING_DIMS = (1, 2, 3, 5, 7, 8, 11, 13, 16, 17, 31, 37, 64, 97)


def random_case(rng: np.random.Generator, n_arr: int, kmax: int) -> GemmCase:
    def dim(limit: int) -> int:
        if rng.random() < 0.5:
            return int(rng.choice([d for d in INTERESTING_DIMS if d <= limit]))
        return int(rng.integers(1, limit + 1))

    flags = int(rng.integers(0, 32))
    sparse = bool(flags & FLAG_SPARSE)
    return GemmCase(
        m=dim(80),
        n=dim(80),
        k=dim(min(kmax, 300)),
        flags=flags,
        shift=int(rng.integers(0, 24)) if flags & FLAG_INT8 else int(rng.integers(0, 4)),
        sparsity=float(rng.choice([0.3, 0.7, 1.0])) if sparse else 0.0,
        pad=int(rng.integers(0, 3)),
    )


def random_knobs(rng: np.random.Generator) -> MemKnobs:
    return MemKnobs(
        rd_latency=int(rng.integers(1, 60)),
        wr_latency=int(rng.integers(1, 60)),
        stall_pct=int(rng.choice([0, 0, 10, 30, 60])),
        beat_gap=int(rng.choice([0, 0, 0, 1, 3])),
    )


@cocotb.test()
async def test_gemm_8x8x8_latency(dut):
    """The smallest job end to end: START to the last C byte acknowledged, from the chip's counter."""
    host = ChipHost(dut)
    await host.reset(MemKnobs(rd_latency=20, wr_latency=20))
    n = host.array_n
    c = await host.gemm(GemmCase(n, n, n, FLAG_INT8 | FLAG_BIAS, shift=12), "test_gemm_8x8x8_latency")
    dut._log.info("%dx%dx%d: %d cycles START to done (design note: 532 for 8x8x8)", n, n, n, c["total"])
    if n == 8 and host.bus_w == 64 and host.mem_model == "ideal":
        assert c["total"] <= 120, f"8x8x8 took {c['total']} cycles, target <= 120"
    await host.quiet()


@cocotb.test()
async def test_random_regression(dut):
    """Random shapes, strides, flags and sparsity maps under random memory timing."""
    host = ChipHost(dut)
    kmax = int(dut.KMAX.value)
    cases = int(os.environ.get("CSAI_CHIP_CASES", "12"))
    await host.reset()
    for i in range(cases):
        case = random_case(host.rng, host.array_n, kmax)
        if i == 0:  # one larger GEMM per run: many row blocks and column tiles, K beyond 2 banks
            r = host.rng
            m, n, k = (
                int(r.integers(60, 131)),
                int(r.integers(60, 131)),
                int(r.integers(200, min(kmax, 400) + 1)),
            )
            case = GemmCase(m, n, k, case.flags, case.shift, case.sparsity, case.pad)
        knobs = random_knobs(host.rng)
        host.set_knobs(knobs)
        dut._log.info("case %d/%d: %s, memory %s", i + 1, cases, case, knobs)
        host.read_bursts = bool(host.rng.random() < 0.5)  # both read modes
        await host.gemm(case, "test_random_regression", overlap=bool(host.rng.random() < 0.8))
    await host.quiet()


@cocotb.test()
async def test_read_burst_edges(dut):
    """Read bursts at their edges, in both CTRL.read_bursts modes: A rows, B blocks and bias
    vectors straddling a 4 KB page (the DMA splits the burst), rows shorter than a burst, padded
    strides, a K that is not a whole number of bursts, a multi-word sparsity map. C bit for bit and
    the cycle count exactly as the cycle model predicts (which models every split)."""
    host = ChipHost(dut)
    await host.reset(MemKnobs(rd_latency=20, wr_latency=20))
    n, w = host.array_n, host.word
    kmax = int(dut.KMAX.value)
    cases = [  # (case, bytes to skip before A: A's first row then ends 3 words past a page)
        (GemmCase(2 * n + 1, max(1, w - 3), 5 * n + 3, FLAG_INT8 | FLAG_BIAS, shift=12), 4096 - 3 * w),
        (GemmCase(13, 2 * n + 5, 3, FLAG_BIAS | FLAG_PERCH, shift=2, pad=3), 4096 - 40 - 3 * w),
        (GemmCase(9, 2 * n + 1, 8 * w + 5, FLAG_INT8 | FLAG_RELU, shift=14, pad=1), 4096 - 5 * w),
        (
            GemmCase(n + 1, 2 * n, min(kmax, 300), FLAG_INT8 | FLAG_SPARSE | FLAG_BIAS, 13, 0.5, pad=1),
            4096 - 7 * w,
        ),
    ]
    for case, skip in cases:
        for bursts in (True, False):
            host.read_bursts = bursts
            mem = host.new_image()
            mem.alloc(skip)
            c = await host.gemm(case, "test_read_burst_edges", mem=mem)
            _, lay = host.last_gemm
            model = engine_cycles(
                case.m, case.n, case.k, array_n=n, bus_w_bytes=w, flags=case.flags, c_addr=lay.c_addr,
                ldc=lay.ldc, addrs=read_addrs(lay), read_bursts=bursts,
                zero_blocks={tuple(map(int, z)) for z in np.argwhere(zero_blocks(lay.b, n))},
                mem=host.mem_timing(),
            )  # fmt: skip
            dut._log.info("%s bursts=%s: %d cycles, model %d", case, bursts, c["total"], model["total"])
            assert c == model, f"{case} bursts={bursts}: chip {c}, cycle model {model}"
            # fewer ARs than bus words read: the reads really went out as bursts, wherever the
            # case has a read longer than one word (an A row, a bias or scale chunk of 4N bytes);
            # on a 4 x 128 build the second case has none (K = 3, 16-byte chunks, padded B)
            if bursts and (case.k > w or 4 * n > w):
                assert c["ar_bursts"] < c["bytes_rd"] // w, f"{case}: {c['ar_bursts']} ARs"
    host.read_bursts = True
    await host.quiet()


@cocotb.test()
async def test_descriptor_chain(dut):
    """Four GEMMs from a descriptor list in memory: one START, one interrupt at the end."""
    host = ChipHost(dut)
    await host.reset()
    n = host.array_n
    cases = [
        GemmCase(2 * n + 1, n + 3, 3 * n, FLAG_INT8 | FLAG_BIAS | FLAG_RELU, shift=11),
        GemmCase(5, 2 * n, 17, FLAG_BIAS, shift=0),
        GemmCase(n, 3 * n, 4 * n, FLAG_INT8 | FLAG_PERCH | FLAG_SPARSE, shift=13, sparsity=0.5),
        GemmCase(1, 1, 1, FLAG_INT8),
    ]
    for bursts in (True, False):  # descriptors and operands as bursts, then one beat per read
        host.read_bursts = bursts
        mem = host.new_image()
        mem.alloc(4096 - 24)  # the first A rows straddle a 4 KB page
        lays = [host.layout(c, mem)[1] for c in cases]
        descs = chain_descriptors(mem, lays)
        before = mem.data.copy()
        # the cycle model of a chain: the descriptor reads and the GEMMs on one memory timeline
        counters, predicted = await host.run_chain(mem, cases, lays, descs, f"chain of {len(cases)} GEMMs")
        mask = np.zeros(mem.size, dtype=bool)
        for c, lay in zip(cases, lays, strict=True):
            mask |= host.c_mask(mem, lay, c)
        host.assert_untouched(before, mem, mask, "chain")
        for c, lay in zip(cases, lays, strict=True):
            check_c(mem, lay, c)
        fcov.sample_chain(len(cases))
        dut._log.info("chain of %d GEMMs, bursts=%s: %s; model %d", len(cases), bursts, counters, predicted)
        # exact on either memory model (models/cycle/chain_timing.py)
        assert counters["total"] == predicted, f"chain took {counters['total']} cycles, model {predicted}"
    host.read_bursts = True

    # a malformed second descriptor (reserved word set) stops the chain with BAD_CHAIN after
    # the first GEMM, whose results are written
    mem = host.new_image()
    lays = [host.layout(c, mem)[1] for c in cases[:2]]
    first = write_chain(mem, lays)
    mem.data[first + 64 + 60 : first + 64 + 64] = 0xFF  # descriptor 2 follows descriptor 1
    await host.load(mem)
    assert await host.write("CHAIN_ADDR", first)
    await host.start(chain=True)
    await host.wait_irq(host.watchdog(predicted), "chain stopped by a bad descriptor", predicted)
    await host.expect_error("BAD_CHAIN")
    await host.dump(mem)
    check_c(mem, lays[0], cases[0])
    await host.quiet()


@cocotb.test()
async def test_bad_descriptors(dut):
    """Each bad descriptor sets its error code and the interrupt; the next good GEMM is right."""
    host = ChipHost(dut)
    await host.reset()
    n, w = host.array_n, host.word
    kmax = int(dut.KMAX.value)
    good = GemmCase(n + 1, n + 2, n + 3, FLAG_INT8 | FLAG_BIAS, shift=10)
    mem, lay = host.layout(good)
    await host.load(mem)
    end = host.mem_bytes
    bad = [
        ("ZERO_DIM", {"r_m": 0}),
        ("ZERO_DIM", {"r_k": 0}),
        ("DIM_TOO_LARGE", {"r_k": kmax + 1, "r_lda": kmax + w}),
        ("MISALIGNED", {"r_a_addr": lay.regs["r_a_addr"] + 1}),
        ("MISALIGNED", {"r_ldc": lay.regs["r_ldc"] + w // 2}),
        ("MISALIGNED", {"r_lda": w, "r_k": w + 1}),  # stride shorter than the row
        ("ADDR_RANGE", {"r_c_addr": end - w}),
        ("ADDR_RANGE", {"r_b_addr": 0xFFFF_FFF0 & ~(w - 1)}),
        ("OVERLAP", {"r_c_addr": lay.regs["r_b_addr"]}),
        ("BAD_FLAGS", {"r_flags": good.flags | FLAG_SPARSE, "r_map_addr": 0}),
    ]
    for code, change in bad:
        regs = {**lay.regs, **change}
        await host.program(regs)
        await host.start()
        await host.expect_error(code)
        dut._log.info("refused %s with %s", change, code)
    # start while busy: the running GEMM is unharmed
    await host.program(lay.regs)
    await host.start()
    await host.start()  # refused: the interrupt rises now (error), the GEMM runs on
    st = await host.wait_idle(host.watchdog(host.predict(good, lay)))
    assert st["done"] == 1, f"the running GEMM did not finish: {st}"
    assert st["error"] == 1 and st["error_code"] == REGMAP.error_code("START_WHILE_BUSY"), st
    fcov.sample_error("START_WHILE_BUSY")
    await host.clear_status()
    await host.dump(mem)
    check_and_record(mem, lay, good, "test_bad_descriptors", await host.counters(), n, host.bus_w, True)
    # read-only and unmapped registers
    assert not await host.write("ID", 0x1234), "a write to ID was not refused"
    await host.expect_error("WRITE_RO")
    # and the chip still works
    await host.gemm(GemmCase(3, 5, 7, FLAG_INT8 | FLAG_RELU, shift=6), "test_bad_descriptors")
    await host.quiet()


@cocotb.test()
async def test_axi_error_responses(dut):
    """SLVERR from memory on a read and on a write: the run aborts with the matching code, no AXI
    transaction is left open, and the next GEMM is correct."""
    host = ChipHost(dut)
    await host.reset()
    n = host.array_n
    case = GemmCase(3 * n, 3 * n, 4 * n, FLAG_INT8 | FLAG_BIAS, shift=12)
    for code, region in (("AXI_READ_ERROR", "b"), ("AXI_WRITE_ERROR", "c")):
        mem, lay = host.layout(case)
        await host.load(mem)
        lo = lay.regs["r_b_addr"] if region == "b" else lay.regs["r_c_addr"]
        host.set_knobs(MemKnobs(err_lo=lo + 2 * lay.ldc, err_hi=lo + 3 * lay.ldc))
        await host.program(lay.regs)
        await host.start()
        predicted = host.predict(case, lay)
        await host.wait_irq(host.watchdog(predicted), f"GEMM {case} with {code} injected", predicted)
        await host.expect_error(code)
        await host.quiet()
        host.set_knobs(MemKnobs())
        await host.gemm(case, "test_axi_error_responses")
    await host.quiet()


@cocotb.test()
async def test_soft_and_hard_reset_mid_gemm(dut):
    """Soft reset (CTRL.soft_reset) and hard reset in the middle of a GEMM: back to idle with no
    AXI transaction dangling; the next GEMM is correct."""
    host = ChipHost(dut)
    await host.reset(MemKnobs(stall_pct=20))
    n = host.array_n
    big = GemmCase(8 * n, 8 * n, 16 * n, FLAG_INT8 | FLAG_BIAS, shift=14)
    for when in (50, 700, 3000, *(int(w) for w in host.rng.integers(5, 4000, size=8))):
        mem, lay = host.layout(big)
        await host.load(mem)
        await host.program(lay.regs)
        await host.start()
        await ClockCycles(dut.clk, when)
        assert (await host.status())["busy"] == 1, "GEMM finished before the soft reset"
        await host.soft_reset()
        st = await host.wait_idle(100_000)
        assert st["done"] == 0 and st["error"] == 0, f"soft reset left status {st}"
        await host.quiet()
        await host.gemm(GemmCase(n + 3, 2 * n, 9, FLAG_INT8 | FLAG_BIAS, shift=8), "test_soft_reset")
    # hard reset: the whole harness (chip, memory model, checkers) restarts
    mem, lay = host.layout(big)
    await host.load(mem)
    await host.program(lay.regs)
    await host.start()
    await ClockCycles(dut.clk, 500)
    await host.reset(MemKnobs(stall_pct=20))
    st = await host.status()
    assert st == {**st, "busy": 0, "done": 0, "error": 0}, f"after hard reset: {st}"
    await host.gemm(big, "test_hard_reset")
    await host.quiet()


# the cocotb modules every chip build runs (tb/flows/select.py): these tests and the directed edges
COCOTB_MODULES = ("tb.test_chip", "tb.test_chip_edges")


# builds only `make regress` runs (CSAI_REGRESS=1; tb/conftest.py): every other ARRAY_N x BUS_W
# the chip can be built for (BUS_W / 8 >= ARRAY_N: no 16 x 64, rtl/gemm_controller.v refuses it)
REGRESS_ONLY = [pytest.param(*b, marks=pytest.mark.regress_only) for b in [(4, 128), (16, 128)]]


@pytest.mark.parametrize(("array_n", "bus_w"), [(8, 64), (8, 128), (4, 64), *REGRESS_ONLY])
def test_chip_rtl(array_n: int, bus_w: int) -> None:
    from tb.env.mem_model import build_suffix, harness_parameters
    from tb.env.sim import CHIP_SOURCES, run_cocotb

    run_cocotb(
        "chip_harness",
        CHIP_SOURCES,
        list(COCOTB_MODULES),
        {"ARRAY_N": array_n, "BUS_W": bus_w, "KMAX": 512, **harness_parameters(bus_w)},
        f"chip_N{array_n}_W{bus_w}{build_suffix()}",
    )


@pytest.mark.parametrize(("array_n", "bus_w"), [(8, 64)])  # its build, for ARRAY_N / BUS_W selection
def test_chains_on_dram(monkeypatch: pytest.MonkeyPatch, array_n: int, bus_w: int) -> None:
    """The chain tests (``test_descriptor_chain``, ``test_chain_lengths``) on the 8 x 64 chip with
    the DRAM timing model behind it (tb/hdl/dram_model.v converted at 48 MHz, assumed): every
    C bit for bit and PERF_CYCLES equal to the chain model on the DRAM twin
    (models/cycle/chain_timing.py); the ideal memory's chain formula is off there."""
    from tb.env.mem_model import build_suffix, harness_parameters
    from tb.env.sim import CHIP_SOURCES, run_cocotb

    chain_tests = ("tb.test_chip.test_descriptor_chain", "tb.test_chip_edges.test_chain_lengths")
    want = os.environ.get("TESTCASE")  # a TESTCASE selection replaces the filter below
    if want and not any(re.search(want, t) for t in chain_tests):
        pytest.skip(f"TESTCASE={want!r} selects neither chain test")
    monkeypatch.setenv("MEM", "dram")
    monkeypatch.setenv("DRAM_CHIP_MHZ", "48")
    run_cocotb(
        "chip_harness",
        CHIP_SOURCES,
        list(COCOTB_MODULES),
        {"ARRAY_N": array_n, "BUS_W": bus_w, "KMAX": 512, **harness_parameters(bus_w)},
        f"chip_N{array_n}_W{bus_w}{build_suffix()}",
        testcase="test_descriptor_chain|test_chain_lengths",
    )
