"""tb/env/simulators.py: the Verilator build flags of plain and coverage builds."""

from __future__ import annotations

import os

import pytest

from tb.env import simulators


@pytest.mark.parametrize("coverage", ["0", "1"])
def test_builds_optimise_only_the_per_cycle_code(monkeypatch: pytest.MonkeyPatch, coverage: str) -> None:
    monkeypatch.setenv("CSAI_COVERAGE", coverage)
    args = simulators.build_args(waves=False)
    assert ("--coverage-line" in args) == (coverage == "1")
    # no -CFLAGS -O2: on gcc's line it follows OPT_SLOW and would optimise the one-time
    # constructor of every VPI signal and coverage point too (20+ CPU minutes for a 16 x 16 array)
    assert "-CFLAGS" not in args
    with simulators.build_env("verilator"):
        flags = os.environ["MAKEFLAGS"].split()
        assert "OPT_FAST=-O2" in flags and "OPT_GLOBAL=-O2" in flags
        assert not any(f.startswith("OPT_SLOW") for f in flags)
