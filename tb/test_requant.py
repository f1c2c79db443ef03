"""cocotb tests of rtl/requant.v (one output-stage lane) against models/golden.output_stage.

A cocotb-bus BusMonitor samples the lane's output stream and a cocotb-bus Scoreboard compares
it with the golden values queued as each input is driven: the test only describes stimulus.
"""

from __future__ import annotations

from typing import ClassVar

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge
from cocotb_bus.monitors import BusMonitor
from cocotb_bus.scoreboard import Scoreboard

from models.chip.golden import Requant, output_stage
from tb.env.seeds import log_seed

I32 = (-(2**31), 2**31 - 1)


class LaneMonitor(BusMonitor):
    """Collects `out` (as a signed int) on every cycle with `out_valid` high."""

    _signals: ClassVar[list[str]] = ["out_valid", "out"]

    async def _monitor_recv(self) -> None:
        while True:
            await RisingEdge(self.clock)
            await ReadOnly()
            if self.bus.out_valid.value == 1:
                self._recv(self.bus.out.value.to_signed())


async def _setup(dut):
    seed = log_seed(dut)
    Clock(dut.clk, 10, unit="ns").start()
    dut.in_valid.value = 0
    dut.rst.value = 1
    await ClockCycles(dut.clk, 2)
    dut.rst.value = 0
    expected: list[int] = []
    mon = LaneMonitor(dut, None, dut.clk)
    sb = Scoreboard(dut, fail_immediately=True)
    sb.add_interface(mon, expected)
    return np.random.default_rng(seed), expected, sb


async def _drive(dut, expected, cases) -> None:
    for acc, bias, scale, shift, bias_en, relu, out_int8 in cases:
        q = Requant(scale=scale, shift=shift, relu=bool(relu), out_int8=bool(out_int8))
        gold = output_stage(np.array([[acc]]), np.array([bias]) if bias_en else None, q)
        expected.append(int(gold[0, 0]))
        dut.in_valid.value = 1
        dut.acc.value = acc & 0xFFFFFFFF
        dut.bias.value = bias & 0xFFFFFFFF
        dut.scale.value = scale & 0xFFFFFFFF
        dut.shift.value, dut.bias_en.value = shift, bias_en
        dut.relu.value, dut.out_int8.value = relu, out_int8
        await RisingEdge(dut.clk)
    dut.in_valid.value = 0
    await ClockCycles(dut.clk, 5)


def _check(sb, expected, n_cases: int) -> None:
    assert not expected, f"{len(expected)} of {n_cases} expected outputs never came out"
    assert sb.errors == 0, f"scoreboard saw {sb.errors} mismatches"


@cocotb.test()
async def test_edge_values(dut):
    """Rounding ties both signs, shift 0 and 63, saturation both ways, extremes of int32."""
    _, expected, sb = await _setup(dut)
    lo, hi = I32
    cases = [
        (5, 0, 1, 1, 0, 0, 1),
        (-5, 0, 1, 1, 0, 0, 1),
        (3, 0, 1, 1, 0, 0, 1),
        (-3, 0, 1, 1, 0, 0, 1),
        (127, 0, 1, 0, 0, 0, 1),
        (128, 0, 1, 0, 0, 0, 1),
        (-129, 0, 1, 0, 0, 0, 1),
        (hi, 0, hi, 63, 0, 0, 1),
        (lo, 0, lo, 63, 0, 0, 1),
        (lo, 0, hi, 63, 0, 0, 1),
        (lo, lo, 1, 0, 1, 0, 0),
        (hi, 1, 1, 0, 1, 0, 0),
        (-7, 0, 1, 0, 0, 1, 0),
        (-7, 0, 1, 0, 0, 1, 1),
        (1000, -2000, 3, 2, 1, 1, 1),
        (0, 0, 0, 0, 0, 0, 1),
        (lo, 0, -1, 0, 0, 0, 0),
    ]
    await _drive(dut, expected, cases)
    _check(sb, expected, len(cases))


@cocotb.test()
async def test_random(dut):
    """2,000 random lanes over the full int32 ranges and every shift."""
    rng, expected, sb = await _setup(dut)
    n = 2000
    cols = [rng.integers(*I32, size=n, endpoint=True) for _ in range(3)]
    small = rng.integers(-(2**20), 2**20, size=n)  # values that land inside int8 after shifting
    cases = [
        (
            int(small[i] if i % 2 else cols[0][i]),
            int(cols[1][i]),
            int(cols[2][i] if i % 3 else small[i] % 4096),
            int(rng.integers(0, 64)),
            int(rng.integers(0, 2)),
            int(rng.integers(0, 2)),
            int(rng.integers(0, 2)),
        )
        for i in range(n)
    ]
    await _drive(dut, expected, cases)
    _check(sb, expected, n)


def test_requant_rtl() -> None:
    from tb.env.sim import run_cocotb

    run_cocotb("requant", ["rtl/requant.v"], "tb.test_requant", {}, "requant")
