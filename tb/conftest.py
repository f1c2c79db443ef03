"""pytest hooks for the testbench runners (selection rules in tb/select.py):

* ``ARRAY_N=<n>`` / ``BUS_W=<w>`` keep only the builds with that array size / bus width;
* ``TESTCASE=<regex>`` keeps only the builds whose cocotb modules have a matching test, and
  drops the plain-Python tests, so a replay passes or fails on that test alone.
"""

from __future__ import annotations

import os

import pytest

from tb.select import knob_mismatch, testcase_matches


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not any(os.environ.get(k) for k in ("ARRAY_N", "BUS_W", "TESTCASE")):
        return
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        ok = not knob_mismatch(params)
        if ok and os.environ.get("TESTCASE"):
            runs_rtl = "tb" in item.path.parts and item.path.name.startswith("test_")
            ok = runs_rtl and testcase_matches(item.module)
        (keep if ok else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
