"""cocotb tests of rtl/systolic_array.v: skewed streaming, back-to-back tiles, row read port."""

from __future__ import annotations

import cocotb
import numpy as np
import pytest
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge

from models.chip.golden import matmul_int8
from tb.env.core_tb import pack, unpack_signed
from tb.env.seeds import log_seed


async def _reset(dut):
    seed = log_seed(dut)
    Clock(dut.clk, 10, unit="ns").start()
    for s in ("valid_edge", "first_edge", "last_edge", "a_edge", "b_edge", "rd_row"):
        getattr(dut, s).value = 0
    dut.rst.value = 1
    await ClockCycles(dut.clk, 2)
    dut.rst.value = 0
    return np.random.default_rng(seed), int(dut.ARRAY_N.value)


async def _stream(dut, a: np.ndarray, b: np.ndarray) -> None:
    """a is [n, k], b is [k, n]: one k-step per cycle at the array edges."""
    k = a.shape[1]
    for kk in range(k):
        dut.valid_edge.value, dut.first_edge.value, dut.last_edge.value = 1, int(kk == 0), int(kk == k - 1)
        dut.a_edge.value, dut.b_edge.value = pack(a[:, kk], 8), pack(b[kk, :], 8)
        await RisingEdge(dut.clk)
    dut.valid_edge.value = 0


async def _read(dut, n: int) -> np.ndarray:
    rows = []
    for r in range(n):
        dut.rd_row.value = r
        await ClockCycles(dut.clk, 1)
        rows.append(unpack_signed(int(dut.rd_data.value), 32, n))
    return np.array(rows, dtype=np.int64)


@cocotb.test()
async def test_tiles(dut):
    """Random tiles with K in 1..3N, extremes, each read after the array has drained."""
    rng, n = await _reset(dut)
    shapes = [(np.full((n, 40), -128), np.full((40, n), -128))]
    shapes += [(rng.integers(-128, 128, (n, k)), rng.integers(-128, 128, (k, n))) for k in (1, n, 3 * n, 7)]
    for a, b in shapes:
        await _stream(dut, a, b)
        await ClockCycles(dut.clk, 2 * n + 1)
        got = await _read(dut, n)
        want = matmul_int8(a, b)
        assert np.array_equal(got, want), f"K={a.shape[1]}: first mismatch at {np.argwhere(got != want)[0]}"


@cocotb.test()
async def test_back_to_back_results_held(dut):
    """Two tiles streamed with no gap: the first tile's rows stay readable on the schedule the
    core uses (row r, N + 1 + r cycles after the last k-step) while the second accumulates."""
    rng, n = await _reset(dut)
    k = n
    a1, b1 = rng.integers(-128, 128, (n, k)), rng.integers(-128, 128, (k, n))
    a2, b2 = rng.integers(-128, 128, (n, k)), rng.integers(-128, 128, (k, n))
    first = matmul_int8(a1, b1)
    await _stream(dut, a1, b1)
    # Cycle i = 1, 2, ... after tile 1's last k-step: tile 2 streams in cycles 1..k, and row r of
    # tile 1 is read in cycle N + r, sampled in that cycle's read-only phase.
    rows = []
    for i in range(1, 2 * n):
        kk = i - 1
        if kk < k:
            dut.valid_edge.value, dut.first_edge.value, dut.last_edge.value = (
                1,
                int(kk == 0),
                int(kk == k - 1),
            )
            dut.a_edge.value, dut.b_edge.value = pack(a2[:, kk], 8), pack(b2[kk, :], 8)
        else:
            dut.valid_edge.value = 0
        if i >= n:
            dut.rd_row.value = i - n
        await ReadOnly()
        if i >= n:
            rows.append(unpack_signed(int(dut.rd_data.value), 32, n))
        await RisingEdge(dut.clk)
    dut.valid_edge.value = 0
    got = np.array(rows, dtype=np.int64)
    assert np.array_equal(got, first), "tile 1 rows changed while tile 2 accumulated"
    await ClockCycles(dut.clk, 2 * n + 1)
    assert np.array_equal(await _read(dut, n), matmul_int8(a2, b2))


@pytest.mark.parametrize("array_n", [4, 8, 16])
def test_systolic_array_rtl(array_n: int) -> None:
    from tb.env.sim import run_cocotb

    run_cocotb(
        "systolic_array",
        ["rtl/pe.v", "rtl/systolic_array.v"],
        "tb.test_systolic_array",
        {"ARRAY_N": array_n},
        f"systolic_array_N{array_n}",
    )
