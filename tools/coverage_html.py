"""The HTML view of ``make coverage`` without Debian's lcov: an index with the per-module table
and one page per rtl/ file with every source line marked hit (with its count), not hit, waived or
not a coverage point, and the unhit branch arms listed. ``tools/coverage_report.py`` uses genhtml
when it is installed and this otherwise; both read the same merged data."""

from __future__ import annotations

import html
from pathlib import Path

STYLE = """body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}
td,th{border:1px solid #bbb;padding:2px 6px;text-align:right}td:first-child{text-align:left}
pre{margin:0}.hit{background:#d8f5d0}.miss{background:#f8c8c8}.waived{background:#f5ecc0}
.src td{border:none;text-align:left;font-family:monospace;white-space:pre;padding:0 6px}
.n{color:#888;text-align:right!important}.met{color:#060}.missed{color:#a00;font-weight:bold}"""


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>\n"
    )


def _index(rows: list[dict], header: str) -> str:
    head = "".join(
        f"<th>{h}</th>" for h in ("module", "lines", "waived", "lines %", "branches", "waived", "branches %",
                                  "toggle %", "target")
    )  # fmt: skip
    trs = []
    for r in rows:
        cls = "met" if r["meets_target"] else "missed"
        trs.append(
            f"<tr><td><a href='{r['module']}.html'>{html.escape(r['module'])}</a></td>"
            f"<td>{r['lines_hit']}/{r['lines']}</td><td>{r['lines_waived']}</td><td>{r['line_pct']:.1f}</td>"
            f"<td>{r['branches_hit']}/{r['branches']}</td><td>{r['branches_waived']}</td>"
            f"<td>{r['branch_pct']:.1f}</td>"
            f"<td>{r['toggle_pct']:.1f} ({r['toggles_hit']}/{r['toggles']})</td>"
            f"<td class='{cls}'>{'met' if r['meets_target'] else 'MISSED'}</td></tr>"
        )
    return _page(
        "Code coverage of rtl/", f"<p>{html.escape(header)}</p><table><tr>{head}</tr>{''.join(trs)}</table>"
    )


def _source(repo: Path, row: dict, counts: dict[int, int], waived: set[int]) -> str:
    text = (repo / row["file"]).read_text(errors="replace").splitlines()
    trs = []
    for i, src in enumerate(text, 1):
        if i in counts:
            c = counts[i]
            cls, mark = ("hit", str(c)) if c > 0 else (("waived", "waived") if i in waived else ("miss", "0"))
        else:
            cls, mark = "", ""
        trs.append(
            f"<tr class='{cls}'><td class='n'>{i}</td><td class='n'>{mark}</td>"
            f"<td>{html.escape(src)}</td></tr>"
        )
    arms = "".join(f"<li>{html.escape(a)}</li>" for a in row["holes_branches"]) or "<li>none</li>"
    body = (
        f"<p><a href='index.html'>index</a> &middot; lines {row['lines_hit']}/{row['lines']} "
        f"({row['lines_waived']} waived), branches {row['branches_hit']}/{row['branches']} "
        f"({row['branches_waived']} waived), toggle {row['toggle_pct']:.1f} %</p>"
        f"<h2>Unhit branch arms (line:arm)</h2><ul>{arms}</ul><table class='src'>{''.join(trs)}</table>"
    )
    return _page(row["file"], body)


def write_html(out: Path, repo: Path, rows: list[dict], line_counts: dict[str, dict[int, int]],
               waived_lines: dict[str, set[int]], header: str) -> None:  # fmt: skip
    """Write ``out``/index.html and one page per module (``out`` is created, its pages replaced)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "index.html").write_text(_index(rows, header))
    for r in rows:
        page = _source(repo, r, line_counts.get(r["file"], {}), waived_lines.get(r["file"], set()))
        (out / f"{r['module']}.html").write_text(page)
