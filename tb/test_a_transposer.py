"""cocotb tests of rtl/a_transposer.v: row-major beats in, k-column buffer entries out."""

from __future__ import annotations

import cocotb
import numpy as np
import pytest
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge

from tb.core_tb import pack
from tb.seeds import log_seed


@cocotb.test()
async def test_random_groups(dut):
    """Random row groups with random input gaps: every entry written once with the transpose."""
    seed = log_seed(dut)
    rng = np.random.default_rng(seed)
    n, w = int(dut.ARRAY_N.value), int(dut.BUS_W.value) // 8
    Clock(dut.clk, 10, unit="ns").start()
    dut.in_valid.value = 0
    dut.rst.value = 1
    await ClockCycles(dut.clk, 2)
    dut.rst.value = 0
    groups = 24
    data = rng.integers(0, 256, size=(groups, n, w))
    writes: dict[int, int] = {}

    async def capture() -> None:
        while True:
            await RisingEdge(dut.clk)
            await ReadOnly()
            if dut.wr_en.value == 1:
                addr = int(dut.wr_addr.value)
                assert addr not in writes, f"entry {addr} written twice"
                writes[addr] = int(dut.wr_data.value)

    cocotb.start_soon(capture())
    for g in range(groups):
        for i in range(n):
            while rng.random() < 0.3:
                dut.in_valid.value = 0
                await RisingEdge(dut.clk)
            dut.in_valid.value = 1
            dut.in_data.value = pack(data[g, i], 8)
            dut.in_addr.value = g * w
            await RisingEdge(dut.clk)
            while dut.in_ready.value != 1:  # the beat is held until taken
                await RisingEdge(dut.clk)
        dut.in_valid.value = 0
    await ClockCycles(dut.clk, 4 * w + 4)
    assert len(writes) == groups * w, f"{len(writes)} entries written, want {groups * w}"
    for g in range(groups):
        for kk in range(w):
            assert writes[g * w + kk] == pack(data[g, :, kk], 8), f"group {g} entry {kk}"


@pytest.mark.parametrize(("array_n", "bus_w"), [(8, 64), (8, 128), (4, 64), (16, 128)])
def test_a_transposer_rtl(array_n: int, bus_w: int) -> None:
    from tb.sim import run_cocotb

    run_cocotb(
        "a_transposer",
        ["rtl/a_transposer.v"],
        "tb.test_a_transposer",
        {"ARRAY_N": array_n, "BUS_W": bus_w},
        f"a_transposer_N{array_n}_W{bus_w}",
    )
