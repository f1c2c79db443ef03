"""tb/flows/select.py: a replay selection names the builds that contain the test; an empty one is one
line (the Makefile's pre-check exits 2 with it)."""

from __future__ import annotations

import pytest

from tb.flows import select


@pytest.fixture(scope="module")
def builds():
    return select.all_builds()


@pytest.mark.parametrize(
    ("env", "error"),
    [
        ({"TESTCASE": "test_gemm_8x8x8_latency", "ARRAY_N": "8"}, None),
        ({"TESTCASE": "test_copy_random", "BUS_W": "128"}, None),
        ({"ARRAY_N": "5"}, "no testbench build has ARRAY_N=5"),
        ({"BUS_W": "32"}, "no testbench build has BUS_W=32"),
        ({"TESTCASE": "no_such_test"}, "no cocotb test matches"),
        ({"TESTCASE": "test_gemm_8x8x8_latency", "ARRAY_N": "16"}, "no build that contains"),
        ({"TESTCASE": "("}, "not a valid regex"),
    ],
)
def test_selection(builds, monkeypatch, env: dict, error: str | None) -> None:
    for k in ("TESTCASE", "ARRAY_N", "BUS_W", "CSAI_REGRESS"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    msg = select.problem(builds)
    if error is None:
        assert msg is None, msg
    else:
        assert msg is not None and error in msg and "\n" not in msg, msg


def test_chip_builds_contain_the_edges_module(builds) -> None:
    chip = [m for m, p in builds if m.__name__ == "tb.test_chip"]
    assert chip and "tb.test_chip_edges" in select.modules_of(chip[0])
    names = select.cocotb_tests("tb.test_chip_edges")
    assert "tb.test_chip_edges.test_watchdog_stuck_memory" in names
