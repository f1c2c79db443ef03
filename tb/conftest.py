"""pytest hooks for the testbench runners (selection rules in tb/flows/select.py):

* ``ARRAY_N=<n>`` / ``BUS_W=<w>`` keep only the builds with that array size / bus width;
* ``TESTCASE=<regex>`` keeps only the builds whose cocotb modules have a matching test, and
  drops the plain-Python tests, so a replay passes or fails on that test alone;
* builds marked ``regress_only`` run only with ``CSAI_REGRESS=1`` (tb/flows/regress.py).
"""

from __future__ import annotations

import os

import pytest

from tb.flows.select import knob_mismatch, testcase_matches


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "regress_only: a build that only make regress runs (CSAI_REGRESS=1)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    regress = bool(os.environ.get("CSAI_REGRESS"))
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        ok = not knob_mismatch(params) and (regress or item.get_closest_marker("regress_only") is None)
        if ok and os.environ.get("TESTCASE"):
            runs_rtl = "tb" in item.path.parts and item.path.name.startswith("test_")
            ok = runs_rtl and testcase_matches(item.module)
        (keep if ok else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
