"""cocotb tests of rtl/pe.v: one processing element against the golden dot product."""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge

from models.chip.golden import matmul_int8
from tb.env.seeds import log_seed


async def _reset(dut) -> np.random.Generator:
    seed = log_seed(dut)
    Clock(dut.clk, 10, unit="ns").start()
    for s in ("valid_in", "first_in", "last_in", "a_in", "b_in"):
        getattr(dut, s).value = 0
    dut.rst.value = 1
    await ClockCycles(dut.clk, 2)
    dut.rst.value = 0
    return np.random.default_rng(seed)


async def _dot(dut, a: np.ndarray, b: np.ndarray, gaps: np.ndarray | None = None) -> None:
    """Stream one dot product (with optional idle cycles between operands)."""
    k = len(a)
    for i in range(k):
        if gaps is not None:
            dut.valid_in.value = 0
            await ClockCycles(dut.clk, int(gaps[i]))
        dut.valid_in.value, dut.first_in.value, dut.last_in.value = 1, int(i == 0), int(i == k - 1)
        dut.a_in.value, dut.b_in.value = int(a[i]), int(b[i])
        await RisingEdge(dut.clk)
    dut.valid_in.value = 0


@cocotb.test()
async def test_dot_products(dut):
    """Extremes, K = 1, back-to-back outputs, idle gaps, and the pass-through registers."""
    rng = await _reset(dut)
    vectors = [
        (np.full(300, -128), np.full(300, -128)),
        (np.full(300, -128), np.full(300, 127)),
        (np.array([5]), np.array([-7])),
        (np.zeros(10, dtype=np.int64), rng.integers(-128, 128, 10)),
    ] + [(rng.integers(-128, 128, k), rng.integers(-128, 128, k)) for k in rng.integers(1, 40, 20)]
    for idx, (a, b) in enumerate(vectors):
        gaps = rng.integers(0, 3, len(a)) if idx % 3 == 0 else None
        await _dot(dut, a, b, gaps)
        await RisingEdge(dut.clk)
        want = int(matmul_int8(a[None, :], b[:, None])[0, 0])
        got = dut.res.value.to_signed()
        assert got == want, f"vector {idx} (K={len(a)}): res {got}, golden {want}"
        assert dut.a_out.value.to_signed() == int(a[-1]) and dut.b_out.value.to_signed() == int(b[-1])


@cocotb.test()
async def test_result_held_while_next_accumulates(dut):
    """res keeps the finished sum while the next output accumulates."""
    rng = await _reset(dut)
    a1, b1 = rng.integers(-128, 128, 8), rng.integers(-128, 128, 8)
    await _dot(dut, a1, b1)
    first = int(matmul_int8(a1[None, :], b1[:, None])[0, 0])
    a2, b2 = rng.integers(-128, 128, 8), rng.integers(-128, 128, 8)
    for i in range(7):  # all but the last operand of the next output
        dut.valid_in.value, dut.first_in.value, dut.last_in.value = 1, int(i == 0), 0
        dut.a_in.value, dut.b_in.value = int(a2[i]), int(b2[i])
        await RisingEdge(dut.clk)
        assert dut.res.value.to_signed() == first


def test_pe_rtl() -> None:
    from tb.env.sim import run_cocotb

    run_cocotb("pe", ["rtl/pe.v"], "tb.test_pe", {}, "pe")
