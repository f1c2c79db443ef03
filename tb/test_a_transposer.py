"""cocotb tests of rtl/a_transposer.v: row-major beats in, k-column buffer entries out."""

from __future__ import annotations

import cocotb
import numpy as np
import pytest
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge

from tb.env.core_tb import pack
from tb.env.seeds import log_seed


@cocotb.test()
async def test_random_groups(dut):
    """Random groups of N rows x G bus words (G from 1 to GMAX, the controller's read bursts),
    row-major, with random input gaps: every entry written once with the transpose."""
    seed = log_seed(dut)
    rng = np.random.default_rng(seed)
    n, w, gmax = int(dut.ARRAY_N.value), int(dut.BUS_W.value) // 8, int(dut.GMAX.value)
    Clock(dut.clk, 10, unit="ns").start()
    dut.in_valid.value = 0
    dut.rst.value = 1
    await ClockCycles(dut.clk, 2)
    dut.rst.value = 0
    groups = 24
    chunks = [int(rng.integers(1, gmax + 1)) if g % 3 else (1 if g % 2 else gmax) for g in range(groups)]
    bases = np.cumsum([0, *chunks]) * w  # first entry of each group
    data = [rng.integers(0, 256, size=(n, g * w)) for g in chunks]  # row r, byte k of the group
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
            for c in range(chunks[g]):
                while rng.random() < 0.3:
                    dut.in_valid.value = 0
                    await RisingEdge(dut.clk)
                dut.in_valid.value = 1
                dut.in_data.value = pack(data[g][i, c * w : (c + 1) * w], 8)
                dut.in_addr.value = int(bases[g])
                dut.in_chunks.value = chunks[g]
                await RisingEdge(dut.clk)
                while dut.in_ready.value != 1:  # the beat is held until taken
                    await RisingEdge(dut.clk)
        dut.in_valid.value = 0
    await ClockCycles(dut.clk, 4 * w * gmax + 4)
    total = int(bases[-1])
    assert len(writes) == total, f"{len(writes)} entries written, want {total}"
    for g in range(groups):
        for kk in range(chunks[g] * w):
            assert writes[int(bases[g]) + kk] == pack(data[g][:, kk], 8), f"group {g} entry {kk}"
    assert dut.idle.value == 1, "transposer not idle after every group was written"


@pytest.mark.parametrize(("array_n", "bus_w"), [(8, 64), (8, 128), (4, 64), (16, 128)])
def test_a_transposer_rtl(array_n: int, bus_w: int) -> None:
    from tb.env.sim import run_cocotb

    run_cocotb(
        "a_transposer",
        ["rtl/a_transposer.v"],
        "tb.test_a_transposer",
        {"ARRAY_N": array_n, "BUS_W": bus_w, "GMAX": max(2, 512 // bus_w)},
        f"a_transposer_N{array_n}_W{bus_w}",
    )
