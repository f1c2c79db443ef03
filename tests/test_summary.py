"""tb/flows/summary.py: a cocotb failure a pytest test asked for is XFAIL, and only while its
results.xml is the file that test marked."""

from __future__ import annotations

from pathlib import Path

import pytest

from tb.flows import summary

XML = """<testsuites><testsuite><testcase name="minilm_stages"><failure message="mismatch"/></testcase>
<testcase name="other"/></testsuite></testsuites>"""


def test_marked_failure_is_xfail_until_the_results_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = tmp_path / "sim" / "icarus" / "minilm"
    build.mkdir(parents=True)
    (build / "results.xml").write_text(XML)
    monkeypatch.setattr(summary, "BUILD", tmp_path)
    assert summary.cocotb_outcomes()[("minilm", "minilm_stages")] == "FAIL"
    summary.mark_expected_failure(build, ["minilm_stages"], "test")
    out = summary.cocotb_outcomes()
    assert out[("minilm", "minilm_stages")] == "XFAIL" and out[("minilm", "other")] == "PASS"
    (build / "results.xml").write_text(XML.replace("mismatch", "a later real failure"))
    assert summary.cocotb_outcomes()[("minilm", "minilm_stages")] == "FAIL"
