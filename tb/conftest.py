"""pytest hooks for the testbench runners: ``ARRAY_N=<n>`` keeps only that array size."""

from __future__ import annotations

import os

import pytest

_SIZE_PARAMS = ("array_n", "ARRAY_N")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = os.environ.get("ARRAY_N")
    if not wanted:
        return
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        sizes = [params[p] for p in _SIZE_PARAMS if p in params]
        (drop if sizes and str(sizes[0]) != wanted else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
