"""The small cycle-model sweep of `make test`: 8 random GEMMs (random memory latencies, flags and
masks) on two chip builds, each run through the chip's registers (C checked bit for bit) and
compared counter by counter with models/cycle/cycle_model.py. The full sweep is `make validate`
(tb/flows/validate_cycle_model.py)."""

from __future__ import annotations

import pytest

from tb.flows.validate_cycle_model import COUNTERS, QUICK, TOL, draw_points, run_build

COCOTB_MODULES = ("tb.flows.validate_cycle_model",)  # the cocotb tests it runs (tb/flows/select.py)


@pytest.mark.parametrize(("array_n", "bus_w"), QUICK)
def test_cycle_model_matches_chip(array_n: int, bus_w: int) -> None:
    points = draw_points(7 + array_n + bus_w, array_n, 4)
    rows = run_build(array_n, bus_w, points, "quick")
    assert len(rows) == len(points), "the simulation did not finish every point (see the log)"
    for r in rows:
        where = (
            f"{r['m']}x{r['n']}x{r['k']} flags {r['flags']} overlap {r['overlap']} "
            f"latency {r['rd_latency']}/{r['wr_latency']} gap {r['beat_gap']}"
        )
        assert not r["c_error"], f"{where}: wrong C: {r['c_error']}"
        assert abs(r["error"]) <= TOL, f"{where}: RTL {r['rtl']['total']} model {r['model']['total']}"
        assert {c: r["model"][c] for c in COUNTERS} == {c: r["rtl"][c] for c in COUNTERS}, where


def test_cycle_model_matches_chip_on_dram(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same comparison with the DRAM timing model behind the chip (tb/hdl/dram_model.v at
    39 MHz, assumed: the clock recorded when it was written) and ``DramMemory`` behind the
    engine: exact in every counter."""
    monkeypatch.setenv("MEM", "dram")
    monkeypatch.setenv("DRAM_CHIP_MHZ", "39")
    points = draw_points(11, 8, 4)
    rows = run_build(8, 64, points, "quick")
    assert len(rows) == len(points), "the simulation did not finish every point (see the log)"
    for r in rows:
        where = f"{r['m']}x{r['n']}x{r['k']} flags {r['flags']} overlap {r['overlap']} (MEM=dram, 39 MHz)"
        assert not r["c_error"], f"{where}: wrong C: {r['c_error']}"
        assert {c: r["model"][c] for c in COUNTERS} == {c: r["rtl"][c] for c in COUNTERS}, where
