"""The chip's build rule BUS_W / 8 >= ARRAY_N (rtl/gemm_controller.v, g_bad_build): a build that
breaks it stops at elaboration with the rule in the error, on both simulators' front ends."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

RTL = Path(__file__).resolve().parent.parent / "rtl"
RULE = "gemm_controller_needs_BUS_W_div_8_at_least_ARRAY_N"


def _iverilog(n: int, bus_w: int) -> subprocess.CompletedProcess:
    if shutil.which("iverilog") is None:
        pytest.skip("iverilog not installed")
    args = ["iverilog", "-g2005", "-s", "csai_chip", f"-Pcsai_chip.ARRAY_N={n}", f"-Pcsai_chip.BUS_W={bus_w}"]
    return subprocess.run([*args, "-o", "/dev/null", *sorted(map(str, RTL.glob("*.v")))],
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_a_16_lane_chip_on_a_64_bit_bus_stops_at_elaboration() -> None:
    r = _iverilog(16, 64)
    assert r.returncode != 0 and RULE in r.stdout + r.stderr


@pytest.mark.parametrize(("n", "bus_w"), [(8, 64), (16, 128)])
def test_builds_that_keep_the_rule_elaborate(n: int, bus_w: int) -> None:
    r = _iverilog(n, bus_w)
    assert r.returncode == 0, r.stdout + r.stderr
