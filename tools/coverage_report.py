"""Merge Verilator code coverage of every build and print line / branch / toggle per rtl/ module.

``python -m tools.coverage_report [--runs build/sim/verilator-coverage] [--out build/coverage]``

* Input: every ``coverage_<seed>_<tag>.dat`` a ``make coverage`` run wrote in its build folder,
  each with a sidecar ``.json`` holding the sha256 of rtl/ it was built from
  (tb/env/simulators.py). Files of different RTL (or of RTL other than the checkout's) are refused:
  one line, exit 2, nothing written.
* Merge: ``verilator_coverage --write <out>/coverage.dat`` over all of them (Verilator's own
  merge, counts summed per point).
* Points (Verilator 5 ``--coverage``): ``v_line`` blocks and ``v_branch`` arms each name the
  source lines they cover (``S``); ``v_toggle`` is one bit of one signal in one direction. A
  module's points are merged over its instances and builds (a point is hit if any instance in
  any build hit it), since the table is about the module's source, per file in rtl/.
* Lines: every source line named by a line or branch point; hit when one of them counted.
  Branches: every arm of every if / case / ?:. Toggle: reported, no target.
* Waivers: tb/coverage_waivers.txt, one entry a line with its reason; a waived point that is
  hit is reported as a stale waiver.
* Output: ``<out>/coverage.info`` (lcov: DA from line points, BRDA from branch arms; Debian's
  verilator_coverage 5.006 --write-info folds toggle counts into DA and writes no BRDA),
  ``<out>/html/`` (genhtml), ``<out>/coverage.json`` and ``coverage.md`` (the table), all written
  to temporary names and renamed.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tools.coverage_html import write_html

REPO = Path(__file__).resolve().parent.parent

RUNS = REPO / "build" / "sim" / "verilator-coverage"
OUT = REPO / "build" / "coverage"
WAIVERS = REPO / "tb" / "coverage_waivers.txt"
TARGET_LINE, TARGET_BRANCH = 98.0, 95.0


class CoverageError(Exception):
    """Bad input: one line for the user, exit 2."""


@dataclass
class Point:
    kind: str  # line, branch, toggle, expr
    file: str  # relative to the repository
    line: int
    module: str
    comment: str  # branch arm (cond_then ...), toggle signal and direction
    lines: tuple[int, ...]  # source lines the point covers (S)
    count: int = 0


@dataclass
class Waiver:
    kind: str
    file: str
    where: str  # line number, or a glob of the point comment (toggle signal)
    reason: str
    used: int = 0


@dataclass
class ModuleCov:
    lines: dict[int, int] = field(default_factory=dict)  # line -> max count
    branches: list[Point] = field(default_factory=list)
    toggles: list[Point] = field(default_factory=list)


def _lines_of(spec: str, default: int) -> tuple[int, ...]:
    out: list[int] = []
    for part in filter(None, spec.split(",")):
        lo, _, hi = part.partition("-")
        out += range(int(lo), int(hi or lo) + 1)
    return tuple(out) or (default,)


def parse_dat(path: Path) -> list[Point]:
    """The points of one coverage.dat (Verilator's SystemC::Coverage-3 text format)."""
    pts = []
    for raw in path.read_text(encoding="latin-1").splitlines():
        if not raw.startswith("C '"):
            continue
        key, count = raw[3:].rsplit("' ", 1)
        d = dict(kv.split("\x02", 1) for kv in key.split("\x01") if "\x02" in kv)
        f = Path(d.get("f", ""))
        rel = str(f.relative_to(REPO)) if f.is_absolute() and f.is_relative_to(REPO) else str(f)
        kind = d.get("page", "?/").split("/")[0].removeprefix("v_")
        module = d.get("page", "?/?").split("/", 1)[1]
        line = int(d.get("l", "0"))
        pts.append(
            Point(kind, rel, line, module, d.get("o", ""), _lines_of(d.get("S", ""), line), int(count))
        )
    return pts


def check_runs(dats: list[Path], rtl_hash: str) -> None:
    hashes: dict[str, list[str]] = defaultdict(list)
    for dat in dats:
        meta_path = dat.with_suffix(".json")
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            raise CoverageError(
                f"{dat}: no RTL hash beside it ({meta_path.name}); rerun make coverage"
            ) from None
        hashes[meta["rtl_hash"]].append(str(dat.relative_to(REPO) if dat.is_relative_to(REPO) else dat))
    if len(hashes) > 1:
        raise CoverageError(
            f"refusing to merge coverage of {len(hashes)} different RTL versions "
            f"(e.g. {sorted(hashes.values())[0][0]} vs others); run `make coverage` again (clean folders)"
        )
    if hashes and rtl_hash not in hashes:
        raise CoverageError(
            "the coverage files were made from RTL other than rtl/ now; run `make coverage` again"
        )


def read_waivers(path: Path) -> list[Waiver]:
    out = []
    for n, raw in enumerate(path.read_text().splitlines(), 1) if path.exists() else []:
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        spec, sep, reason = text.partition("|")
        parts = spec.split()
        if not sep or not reason.strip() or len(parts) != 2 or parts[0] not in ("line", "branch", "toggle"):
            raise CoverageError(
                f"{path.name}:{n}: want `line|branch|toggle <file>:<line or signal> | <reason>`"
            )
        file, _, where = parts[1].partition(":")
        out.append(Waiver(parts[0], file, where, reason.strip()))
    return out


def _waived(w: list[Waiver], kind: str, file: str, line: int, comment: str = "") -> bool:
    for x in w:
        if x.kind != kind or x.file != file:
            continue
        hit = fnmatch.fnmatch(comment, x.where) if kind == "toggle" else x.where.split(":")[0] == str(line)
        if kind == "branch" and ":" in x.where:
            hit = hit and fnmatch.fnmatch(comment, x.where.split(":", 1)[1])
        if hit:
            x.used += 1
            return True
    return False


def collect(points: list[Point]) -> dict[str, ModuleCov]:
    """Per rtl/ file: lines (max count), and branch / toggle points merged over instances."""
    mods: dict[str, ModuleCov] = defaultdict(ModuleCov)
    merged: dict[tuple, Point] = {}
    for p in points:
        if not p.file.startswith("rtl/"):
            continue
        k = (p.kind, p.file, p.line, p.comment, p.lines)
        if k in merged:
            merged[k].count += p.count
        else:
            merged[k] = Point(p.kind, p.file, p.line, p.module, p.comment, p.lines, p.count)
    for p in merged.values():
        m = mods[p.file]
        if p.kind in ("line", "branch"):
            for ln in p.lines:
                m.lines[ln] = max(m.lines.get(ln, 0), p.count)
        if p.kind == "branch":
            m.branches.append(p)
        elif p.kind == "toggle":
            m.toggles.append(p)
    return mods


def _pct(a: int, b: int) -> float:
    return 100.0 * a / b if b else 100.0


def summarize(mods: dict[str, ModuleCov], waivers: list[Waiver]) -> list[dict]:
    rows = []
    for file in sorted(mods):
        m = mods[file]
        l_hit = sum(1 for c in m.lines.values() if c > 0)
        l_w = sum(1 for ln, c in m.lines.items() if c == 0 and _waived(waivers, "line", file, ln))
        b_hit = sum(1 for p in m.branches if p.count > 0)
        b_w = sum(
            1 for p in m.branches if p.count == 0 and _waived(waivers, "branch", file, p.line, p.comment)
        )
        t_hit = sum(1 for p in m.toggles if p.count > 0)
        t_w = sum(
            1 for p in m.toggles if p.count == 0 and _waived(waivers, "toggle", file, p.line, p.comment)
        )
        holes_l = sorted(ln for ln, c in m.lines.items() if c == 0)
        holes_b = sorted(f"{p.line}:{p.comment}" for p in m.branches if p.count == 0)
        row = dict(
            module=Path(file).stem, file=file,
            lines=len(m.lines), lines_hit=l_hit, lines_waived=l_w,
            branches=len(m.branches), branches_hit=b_hit, branches_waived=b_w,
            toggles=len(m.toggles), toggles_hit=t_hit, toggles_waived=t_w,
            line_pct=_pct(l_hit + l_w, len(m.lines)), branch_pct=_pct(b_hit + b_w, len(m.branches)),
            toggle_pct=_pct(t_hit, len(m.toggles)), holes_lines=holes_l, holes_branches=holes_b,
        )  # fmt: skip
        row["meets_target"] = row["line_pct"] >= TARGET_LINE and row["branch_pct"] >= TARGET_BRANCH
        rows.append(row)
    return rows


def table(rows: list[dict]) -> list[str]:
    out = [
        "| module | lines hit | waived | lines % | branches hit | waived | branches % | toggle % | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['module']} | {r['lines_hit']}/{r['lines']} | {r['lines_waived']} | {r['line_pct']:.1f} | "
            f"{r['branches_hit']}/{r['branches']} | {r['branches_waived']} | {r['branch_pct']:.1f} | "
            f"{r['toggle_pct']:.1f} ({r['toggles_hit']}/{r['toggles']}) | "
            f"{'met' if r['meets_target'] else 'MISSED'} |"
        )
    return out


def write_info(mods: dict[str, ModuleCov], path: Path) -> None:
    lines = ["TN:csai"]
    for file in sorted(mods):
        m = mods[file]
        lines.append(f"SF:{REPO / file}")
        for i, p in enumerate(sorted(m.branches, key=lambda p: (p.line, p.comment))):
            lines.append(f"BRDA:{p.line},0,{i},{p.count if p.count else '-'}")
        lines += [f"DA:{ln},{c}" for ln, c in sorted(m.lines.items())]
        lines += [f"LH:{sum(c > 0 for c in m.lines.values())}", f"LF:{len(m.lines)}", "end_of_record"]
    _atomic_write(path, "\n".join(lines) + "\n")


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=Path, default=RUNS, help="folder of the coverage builds")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--waivers", type=Path, default=WAIVERS)
    ap.add_argument("--no-html", action="store_true", help="skip genhtml")
    args = ap.parse_args(argv)
    from tb.env.simulators import rtl_hash

    try:
        dats = sorted(args.runs.glob("*/coverage_*.dat"))
        if not dats:
            raise CoverageError(f"no coverage files under {args.runs}; run `make coverage`")
        check_runs(dats, rtl_hash())
        waivers = read_waivers(args.waivers)
        if not shutil.which("verilator_coverage"):
            raise CoverageError("verilator_coverage not found (Debian: apt-get install verilator)")
    except CoverageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    merged = args.out / "coverage.dat"
    tmp = args.out / ".coverage.dat.tmp"
    subprocess.run(["verilator_coverage", "--write", str(tmp), *map(str, dats)], check=True)
    tmp.replace(merged)
    mods = collect(parse_dat(merged))
    rows = summarize(mods, waivers)
    write_info(mods, args.out / "coverage.info")
    builds = sorted({d.parent.name for d in dats})
    html_by = "-"
    if not args.no_html:
        html_tmp = Path(tempfile.mkdtemp(prefix=".html_", dir=args.out))
        if shutil.which("genhtml"):  # Debian's lcov when installed
            html_by = "genhtml"
            subprocess.run(
                ["genhtml", "-q", "--branch-coverage", "-o", str(html_tmp), str(args.out / "coverage.info")],
                check=True,
            )
        else:  # our own pages from the same data (tools/coverage_html.py)
            html_by = "tools/coverage_html.py (genhtml not installed)"
            waived = {
                f: {ln for ln, c in mods[f].lines.items() if c == 0 and _waived(list(waivers), "line", f, ln)}
                for f in mods
            }
            title = (
                f"Verilator --coverage, {len(dats)} runs of {len(builds)} builds merged: {', '.join(builds)}"
            )
            write_html(html_tmp, REPO, rows, {f: m.lines for f, m in mods.items()}, waived, title)
        shutil.rmtree(args.out / "html", ignore_errors=True)
        html_tmp.rename(args.out / "html")
    stale = [w for w in waivers if w.used == 0]
    md = [
        f"# Code coverage of rtl/ (Verilator --coverage, {len(dats)} runs of {len(builds)} builds merged)",
        "",
        f"builds: {', '.join(builds)}. Targets per module: lines >= {TARGET_LINE:.0f} %, branches >= "
        f"{TARGET_BRANCH:.0f} % covered or waived (tb/coverage_waivers.txt); toggle reported.",
        "",
        *table(rows),
    ]
    if stale:
        md += ["", "Waivers that matched no uncovered point (covered now, or stale):"]
        md += [f"* {w.kind} {w.file}:{w.where} ({w.reason})" for w in stale]
    _atomic_write(args.out / "coverage.md", "\n".join(md) + "\n")
    _atomic_write(
        args.out / "coverage.json", json.dumps(dict(builds=builds, runs=len(dats), modules=rows), indent=1)
    )
    print("\n".join(md))
    for r in rows:
        if not r["meets_target"]:
            holes = ", ".join(map(str, r["holes_lines"][:12])) or "-"
            arms = ", ".join(r["holes_branches"][:8]) or "-"
            print(f"  {r['module']}: unhit lines {holes}; unhit branch arms {arms}")
    print(
        f"lcov: {args.out / 'coverage.info'}"
        + ("" if args.no_html else f"; HTML: {args.out / 'html/index.html'} ({html_by})")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
