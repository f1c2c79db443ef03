"""cocotb tests of tb/hdl/axi_protocol_checker.v itself: the read-burst rules the chip's tests rely
on (ARLEN limit, 4 KB boundary, RLAST on the last beat and only there) each raise ``violation``, and
a legal sequence of bursts does not. The checker is the toplevel; Python drives every bus signal."""

from __future__ import annotations

import cocotb
import pytest
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge

from tb.env.seeds import log_seed

_INPUTS = [
    "awaddr",
    "awlen",
    "awsize",
    "awburst",
    "awvalid",
    "awready",
    "wdata",
    "wstrb",
    "wlast",
    "wvalid",
    "wready",
    "bresp",
    "bvalid",
    "bready",
    "araddr",
    "arlen",
    "arsize",
    "arburst",
    "arvalid",
    "arready",
    "rdata",
    "rresp",
    "rlast",
    "rvalid",
    "rready",
]


async def _reset(dut) -> None:
    log_seed(dut)
    Clock(dut.clk, 10, unit="ns").start()
    for s in _INPUTS:
        getattr(dut, s).value = 0
    dut.arsize.value = 3  # 64-bit bus
    dut.arburst.value = 1  # INCR
    dut.rst.value = 1
    await ClockCycles(dut.clk, 2)
    dut.rst.value = 0
    await RisingEdge(dut.clk)


async def _read(dut, addr: int, beats: int, rlast_at: int | None = None) -> None:
    """One AR (accepted at once) and its R beats, RLAST on beat ``rlast_at`` (default: the last)."""
    dut.araddr.value, dut.arlen.value, dut.arvalid.value, dut.arready.value = addr, beats - 1, 1, 1
    await RisingEdge(dut.clk)
    dut.arvalid.value = 0
    dut.rready.value = 1
    last = beats - 1 if rlast_at is None else rlast_at
    for i in range(beats):
        dut.rvalid.value, dut.rlast.value, dut.rdata.value = 1, int(i == last), i
        await RisingEdge(dut.clk)
    dut.rvalid.value, dut.rlast.value = 0, 0
    await ClockCycles(dut.clk, 2)


@cocotb.test()
async def test_legal_bursts(dut):
    """16-beat bursts up to a 4 KB page end, one-beat bursts: no violation."""
    await _reset(dut)
    await _read(dut, 0x1000 - 16 * 8, 16)
    await _read(dut, 0x1000, 1)
    await _read(dut, 0x2FF8, 1)
    assert int(dut.violation.value) == 0
    assert int(dut.rd_outstanding.value) == 0


@cocotb.test()
@cocotb.parametrize(
    rule=["arlen_over_max", "crosses_4k", "rlast_early", "rlast_missing"],
)
async def test_read_rule_violations(dut, rule: str):
    """Each broken read rule sets the sticky violation flag."""
    await _reset(dut)
    if rule == "arlen_over_max":
        await _read(dut, 0x1000, 17)  # MAX_LEN is 16 in this build
    elif rule == "crosses_4k":
        await _read(dut, 0x1000 - 8, 2)
    elif rule == "rlast_early":
        await _read(dut, 0x1000, 4, rlast_at=2)
    else:
        await _read(dut, 0x1000, 4, rlast_at=99)
    assert int(dut.violation.value) == 1, f"{rule}: the checker did not flag it"


@pytest.mark.parametrize("max_len", [16])
def test_axi_protocol_checker_rtl(max_len: int) -> None:
    from tb.env.sim import run_cocotb

    run_cocotb(
        "axi_protocol_checker",
        ["tb/hdl/axi_protocol_checker.v"],
        "tb.test_axi_protocol_checker",
        {"MAX_LEN": max_len, "DATA_W": 64},
        f"axi_protocol_checker_L{max_len}",
    )
