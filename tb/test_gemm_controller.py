"""cocotb tests of rtl/gemm_controller.v with the core on an ideal request-level memory
(tb/hdl/ctrl_harness.v): random shapes and flags, bit-exact against models/golden.py."""

from __future__ import annotations

import cocotb
import numpy as np
import pytest
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles

from tb.chip_tb import (
    FLAG_BIAS,
    FLAG_INT8,
    FLAG_PERCH,
    FLAG_RELU,
    FLAG_SPARSE,
    GemmCase,
    build,
    run_on_harness,
)
from tb.mem_image import MemImage
from tb.seeds import log_seed


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


@pytest.mark.parametrize(("array_n", "bus_w"), [(8, 64), (8, 128), (4, 64)])
def test_gemm_controller_rtl(array_n: int, bus_w: int) -> None:
    from tb.sim import CTRL_SOURCES, run_cocotb

    run_cocotb(
        "ctrl_harness",
        CTRL_SOURCES,
        "tb.test_gemm_controller",
        {"ARRAY_N": array_n, "BUS_W": bus_w, "KMAX": 512},
        f"ctrl_harness_N{array_n}_W{bus_w}",
    )
