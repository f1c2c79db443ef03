"""Benchmarks of the tiling controller + core on the ideal request-level memory
(tb/hdl/ctrl_harness.v, read latency 20 cycles, one beat per cycle, BUS_W = 64, ARRAY_N = 8).

Run with `make bench` (minutes, not part of `make test`). Every figure is the controller's own
cycle counter from START to the last C write acknowledged, recorded in build/results/; the
targets of the whole-chip issue are asserted on those deterministic cycle counts.
"""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles

from tb.chip_tb import FLAG_BIAS, FLAG_INT8, FLAG_SPARSE, GemmCase, build, run_on_harness
from tb.mem_image import MemImage
from tb.seeds import log_seed

PEAK = 64


async def _run(dut, rng, name: str, case: GemmCase, overlap: bool = True) -> dict:
    w = int(dut.BUS_W.value) // 8
    mem = MemImage(size=int(dut.MEM_WORDS.value) * w, word_bytes=w)
    lay = build(rng, mem, case, int(dut.ARRAY_N.value))
    c = await run_on_harness(dut, mem, lay, case, f"bench:{name}", overlap=overlap)
    macs = case.m * case.n * case.k
    dut._log.info(
        "%-20s %8d cycles  %6.2f MACs/cycle  %5.1f %% of peak  stall %d  read %d B  written %d B",
        name,
        c["total"],
        macs / c["total"],
        100 * macs / c["total"] / PEAK,
        c["stall"],
        c["bytes_rd"],
        c["bytes_wr"],
    )
    return c


@cocotb.test()
async def bench_targets(dut):
    seed = log_seed(dut)
    rng = np.random.default_rng(seed)
    Clock(dut.clk, 10, unit="ns").start()
    for s in ("load", "dump", "start", "soft_reset", "overlap_enable", "chain_enable"):
        getattr(dut, s).value = 0
    dut.rst.value = 1
    await ClockCycles(dut.clk, 3)
    dut.rst.value = 0
    f = FLAG_INT8 | FLAG_BIAS
    small = await _run(dut, rng, "gemm_8x8x8", GemmCase(8, 8, 8, f, shift=12))
    dense = await _run(dut, rng, "gemm_256", GemmCase(256, 256, 256, f, shift=16))
    serial = await _run(dut, rng, "gemm_256_serial", GemmCase(256, 256, 256, f, shift=16), overlap=False)
    gemv = await _run(dut, rng, "gemv_1x1024x1024", GemmCase(1, 1024, 1024, f, shift=16))
    sparse = await _run(
        dut, rng, "gemm_256_sparse90", GemmCase(256, 256, 256, f | FLAG_SPARSE, shift=16, sparsity=0.9)
    )
    bus_bound = 1024 * 1024 // 8
    dut._log.info(
        "overlap gain on 256^3: %.2fx (%d -> %d cycles)",
        serial["total"] / dense["total"],
        serial["total"],
        dense["total"],
    )
    dut._log.info("GEMV: %.1f %% of the bus bound (%d cycles)", 100 * bus_bound / gemv["total"], bus_bound)
    dut._log.info("90 %% block-sparse: %.2fx fewer cycles than dense", dense["total"] / sparse["total"])
    assert small["total"] <= 120, "8x8x8: START to done must be <= 120 cycles"
    assert 256**3 / dense["total"] >= 0.90 * PEAK, "256^3 must reach 90 % of peak"
    assert bus_bound / gemv["total"] >= 0.90, "GEMV must reach 90 % of the bus bound"
    assert dense["total"] / sparse["total"] >= 5, "90 % block-sparse must take >= 5x fewer cycles"


def test_controller_benchmarks() -> None:
    from tb.sim import CTRL_SOURCES, run_cocotb

    run_cocotb(
        "ctrl_harness",
        CTRL_SOURCES,
        "tb.bench_controller",
        {"ARRAY_N": 8, "BUS_W": 64, "KMAX": 1024, "MEM_WORDS": 2**18},
        "ctrl_harness_bench",
    )
