"""tb/env/simulators.py: the Verilator build flags of plain and coverage builds."""

from __future__ import annotations

import os

import pytest

from tb.env import simulators


def test_coverage_builds_optimise_only_the_per_cycle_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CSAI_COVERAGE", raising=False)
    plain = simulators.build_args(waves=False)
    assert plain[plain.index("-CFLAGS") + 1] == "-O2"  # every generated file at -O2
    monkeypatch.setenv("CSAI_COVERAGE", "1")
    cov = simulators.build_args(waves=False)
    assert "--coverage-line" in cov and "--coverage-toggle" in cov
    # no -CFLAGS -O2: it would follow OPT_SLOW on gcc's line and optimise the coverage-point
    # constructor too (25+ CPU minutes for the 16 x 16 array); OPT_FAST=-O2 goes through make
    assert "-CFLAGS" not in cov
    with simulators.build_env("verilator"):
        assert "OPT_FAST=-O2" in os.environ["MAKEFLAGS"].split()
        assert "OPT_SLOW" not in os.environ["MAKEFLAGS"]
    monkeypatch.delenv("CSAI_COVERAGE")
    with simulators.build_env("verilator"):
        assert "OPT_FAST" not in os.environ["MAKEFLAGS"]
