"""tools/coverage_html.py: the HTML view of make coverage when genhtml is not installed."""

from __future__ import annotations

from pathlib import Path

from tools.coverage_html import write_html


def test_pages_mark_hit_missed_and_waived_lines(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "rtl").mkdir(parents=True)
    (repo / "rtl" / "blk.v").write_text("module blk;\n  a <= 1;\n  b <= 2;\n  c <= 3;\nendmodule\n")
    row = dict(
        module="blk", file="rtl/blk.v", lines=3, lines_hit=1, lines_waived=1, line_pct=66.7,
        branches=2, branches_hit=1, branches_waived=0, branch_pct=50.0, toggles=4, toggles_hit=3,
        toggle_pct=75.0, holes_branches=["3:else"], meets_target=False,
    )  # fmt: skip
    out = tmp_path / "html"
    write_html(out, repo, [row], {"rtl/blk.v": {2: 7, 3: 0, 4: 0}}, {"rtl/blk.v": {4}}, "test run")
    index = (out / "index.html").read_text()
    assert "href='blk.html'" in index and "MISSED" in index and "1/3" in index
    page = (out / "blk.html").read_text()
    assert "<tr class='hit'><td class='n'>2</td><td class='n'>7</td>" in page
    assert "<tr class='miss'><td class='n'>3</td>" in page
    assert "<tr class='waived'><td class='n'>4</td>" in page
    assert "<tr class=''><td class='n'>1</td>" in page  # not a coverage point
    assert "<li>3:else</li>" in page
