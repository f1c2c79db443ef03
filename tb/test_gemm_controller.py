"""cocotb tests of rtl/gemm_controller.v with the core on an ideal request-level memory
(tb/hdl/ctrl_harness.v): random shapes and flags, bit-exact against models/chip/golden.py."""

from __future__ import annotations

import os

import cocotb
import numpy as np
import pytest
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge

from models.chip.regmap import REGMAP
from tb.env.chip_tb import (
    FLAG_BIAS,
    FLAG_INT8,
    FLAG_PERCH,
    FLAG_RELU,
    FLAG_SPARSE,
    GemmCase,
    build,
    run_on_harness,
)
from tb.env.mem_image import MemImage
from tb.env.seeds import log_seed


async def _setup(dut):
    seed = log_seed(dut)
    Clock(dut.clk, 10, unit="ns").start()
    for s in ("load", "dump", "start", "soft_reset", "overlap_enable", "chain_enable", "read_bursts"):
        getattr(dut, s).value = 0
    dut.rst.value = 1
    await ClockCycles(dut.clk, 3)
    dut.rst.value = 0
    n = int(dut.ARRAY_N.value)
    w = int(dut.BUS_W.value) // 8
    mem = MemImage(size=int(dut.MEM_WORDS.value) * w, word_bytes=w)
    return np.random.default_rng(seed), mem, n


@cocotb.test()
async def test_small_gemms(dut):
    """8x8x8, 1x1x1, primes and non-multiples, every output mode."""
    rng, mem, n = await _setup(dut)
    cases = [
        GemmCase(n, n, n, FLAG_INT8 | FLAG_BIAS, shift=12),
        GemmCase(1, 1, 1, FLAG_INT8),
        GemmCase(1, 1, 1, 0),
        GemmCase(13, 11, 17, FLAG_INT8 | FLAG_BIAS | FLAG_RELU, shift=10),
        GemmCase(37, 29, 5, FLAG_BIAS, shift=0),
        GemmCase(3, 40, 70, FLAG_INT8 | FLAG_PERCH | FLAG_BIAS, shift=16),
        GemmCase(70, 9, 33, FLAG_INT8 | FLAG_PERCH, shift=14),
    ]
    for case in cases:
        for bursts in (True, False):  # both read modes, bit-exact
            mem_case = MemImage(size=mem.size, word_bytes=mem.word_bytes)
            lay = build(rng, mem_case, case, n)
            await run_on_harness(dut, mem_case, lay, case, "test_small_gemms", read_bursts=bursts)


@cocotb.test()
async def test_block_sparse(dut):
    """B with random all-zero N x N blocks: skipped, results still bit-exact."""
    rng, mem, n = await _setup(dut)
    for sp in (0.5, 0.9, 1.0):
        case = GemmCase(
            2 * n + 3, 3 * n + 1, 10 * n + 5, FLAG_INT8 | FLAG_BIAS | FLAG_SPARSE, shift=12, sparsity=sp
        )
        mem_case = MemImage(size=mem.size, word_bytes=mem.word_bytes)
        lay = build(rng, mem_case, case, n)
        await run_on_harness(dut, mem_case, lay, case, "test_block_sparse", read_bursts=sp != 0.9)


async def _program(dut, mem: MemImage, lay) -> None:
    from pathlib import Path

    mem.write_hex(Path.cwd() / "mem.hex")
    dut.load.value = 1
    await RisingEdge(dut.clk)
    dut.load.value = 0
    for name, v in lay.regs.items():
        getattr(dut, name).value = int(v)
    dut.overlap_enable.value = 1
    dut.read_bursts.value = 1


async def _pulse(dut, name: str) -> None:
    getattr(dut, name).value = 1
    await RisingEdge(dut.clk)
    getattr(dut, name).value = 0


async def _watch(dut, cycles: int) -> list[tuple[int, int, int, int]]:
    """(cycle, busy, done_pulse, error_pulse and code) for ``cycles`` cycles, until idle."""
    seen = []
    for t in range(cycles):
        await ReadOnly()
        seen.append((t, int(dut.busy.value), int(dut.done_pulse.value),
                     int(dut.error_code.value) if int(dut.error_pulse.value) else -1))  # fmt: skip
        await RisingEdge(dut.clk)
    return seen


@cocotb.test()
async def test_start_in_the_refusal_cycle_keeps_the_refusal(dut):
    """A second START at every cycle of a refused (MISALIGNED) descriptor's check: the job's own
    error code is what the host reads at the end, never START_WHILE_BUSY over it (found by the
    controller's formal cover, docs/formal.md)."""
    rng, mem, n = await _setup(dut)
    case = GemmCase(n, n, n, FLAG_INT8)
    lay = build(rng, mem, case, n)
    lay.regs["r_a_addr"] = int(lay.regs["r_a_addr"]) + 1  # misaligned: refused in the check
    misaligned = REGMAP.error_code("MISALIGNED")
    for gap in range(1, 6):
        await _program(dut, mem, lay)
        await _pulse(dut, "start")
        await ClockCycles(dut.clk, gap - 1)
        await _pulse(dut, "start")
        seen = await _watch(dut, 12)
        codes = [c for *_, c in seen if c >= 0]
        assert seen[-1][1] == 0, f"gap {gap}: still busy"
        code = REGMAP.error_name(int(dut.error_code.value))
        assert int(dut.error_code.value) == misaligned, (
            f"second START {gap} cycle(s) after the first: error code {code} at the end (pulses {codes}), "
            "expected MISALIGNED"
        )


@cocotb.test()
async def test_soft_reset_in_the_done_cycle_leaves_no_done(dut):
    """A soft reset at every cycle around a GEMM's end: once the controller has seen it, no
    done pulse follows (a done after the soft reset would set STATUS.done again after the soft
    reset cleared it; found by the controller's formal cover, docs/formal.md)."""
    rng, mem, n = await _setup(dut)
    case = GemmCase(1, 1, 1, FLAG_INT8)
    lay = build(rng, mem, case, n)
    await _program(dut, mem, lay)
    await _pulse(dut, "start")
    ref = await _watch(dut, 400)
    end = next(t for t, _, d, _ in ref if d)  # the done pulse, cycles after START
    for at in range(end - 3, end + 1):
        await _program(dut, mem, lay)
        await _pulse(dut, "start")
        await ClockCycles(dut.clk, at)
        await _pulse(dut, "soft_reset")  # seen by the controller at this edge
        seen = await _watch(dut, 40)
        late = [t for t, _, d, _ in seen if d]
        assert seen[-1][1] == 0, f"soft reset {at} cycles after START: still busy"
        assert not late, (
            f"soft reset {at} cycles after START (done at {end}): done pulse {late[0] + 1} cycle(s) later"
        )


# the largest M and N need more memory than the other builds have: a build of its own
LARGE_MEM_WORDS = 1 << 18  # 2 MiB at BUS_W = 64
_large_build = f"MEM_WORDS={LARGE_MEM_WORDS}" in os.environ.get("CSAI_PARAMETERS", "").split(",")
_ON_LARGE_BUILD = "runs on the large-memory build (test_gemm_controller_largest_dims_rtl)"


@cocotb.skipif(not _large_build, reason=_ON_LARGE_BUILD)
@cocotb.test()
async def test_largest_m_and_n(dut):
    """M = 65535 and N = 65535, the largest register values: ceil(65535 / ARRAY_N) tiles, not 0.
    The tile counts were formed in 16 bits (65535 + ARRAY_N - 1 wrapped), so such a job ended
    done at once without writing C; the last column tile's width wrapped likewise."""
    rng, mem, n = await _setup(dut)
    for case in (GemmCase(2, 65535, 3, FLAG_INT8 | FLAG_BIAS, shift=9), GemmCase(65535, 3, 2, 0)):
        mem_case = MemImage(size=mem.size, word_bytes=mem.word_bytes)
        lay = build(rng, mem_case, case, n)
        await run_on_harness(dut, mem_case, lay, case, "test_largest_m_and_n", timeout=4_000_000)


def test_gemm_controller_largest_dims_rtl() -> None:
    from tb.env.sim import CTRL_SOURCES, run_cocotb

    run_cocotb(
        "ctrl_harness",
        CTRL_SOURCES,
        "tb.test_gemm_controller",
        {"ARRAY_N": 8, "BUS_W": 64, "KMAX": 512, "MEM_WORDS": LARGE_MEM_WORDS},
        "ctrl_harness_N8_W64_large",
        testcase="test_largest_m_and_n",
    )


@pytest.mark.parametrize(("array_n", "bus_w"), [(8, 64), (8, 128), (4, 64)])
def test_gemm_controller_rtl(array_n: int, bus_w: int) -> None:
    from tb.env.sim import CTRL_SOURCES, run_cocotb

    run_cocotb(
        "ctrl_harness",
        CTRL_SOURCES,
        "tb.test_gemm_controller",
        {"ARRAY_N": array_n, "BUS_W": bus_w, "KMAX": 512},
        f"ctrl_harness_N{array_n}_W{bus_w}",
    )
