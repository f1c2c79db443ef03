"""The small cycle-model sweep of `make test`: 8 random GEMMs on two harness configurations, each
simulated (C checked bit-exactly) and compared counter by counter with models/cycle_model.py.
The full sweep is `make validate` (tb/validate_cycle_model.py)."""

from __future__ import annotations

import pytest

from tb.validate_cycle_model import COUNTERS, QUICK, TOL, draw_points, run_config


@pytest.mark.parametrize(("array_n", "bus_w", "latency"), QUICK)
def test_cycle_model_matches_rtl(array_n: int, bus_w: int, latency: int) -> None:
    points = draw_points(7 + array_n + bus_w + latency, array_n, 4)
    rows = run_config(array_n, bus_w, latency, points, "quick")
    assert len(rows) == len(points), "the simulation did not finish every point (see the log)"
    for r in rows:
        where = f"{r['m']}x{r['n']}x{r['k']} flags {r['flags']} overlap {r['overlap']}"
        assert abs(r["error"]) <= TOL, f"{where}: RTL {r['rtl']['total']} model {r['model']['total']}"
        assert {c: r["model"][c] for c in COUNTERS} == {c: r["rtl"][c] for c in COUNTERS}, where
