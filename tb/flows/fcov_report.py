"""Merge functional-coverage exports (``fcov.yml`` of each simulation, tb/env/coverage_model.py) and
print the per-group figures and the holes by name.

    python -m tb.flows.fcov_report [PATH ...] [--out build/fcov/merged.yml] [--min PCT]

A PATH is a YAML file or a folder searched recursively for ``fcov*.yml`` (default:
``build/sim``). Hits of a bin add up over the files; a bin is covered when its hits reach the
item's ``at_least``. Files whose bins differ (a different coverage model) are refused. Exit 0, or
1 when ``--min`` is given and the total is below it, 2 on bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent.parent
HITS = "bins:_hits"


def find_files(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out += sorted(path.rglob("fcov*.yml"))
        elif path.is_file():
            out.append(path)
        else:
            raise ValueError(f"no such file or folder: {p}")
    return out


def merge(files: list[Path]) -> dict[str, dict]:
    """{item name: {"at_least": n, "hits": {bin: hits}}} summed over the files."""
    items: dict[str, dict] = {}
    names: set[str] | None = None
    for f in files:
        try:
            db = yaml.safe_load(f.read_text()) or {}
        except yaml.YAMLError as e:
            raise ValueError(f"{f}: not a coverage YAML file ({e.__class__.__name__})") from e
        mine = {k for k, v in db.items() if isinstance(v, dict) and HITS in v}
        if names is not None and mine != names:
            diff = sorted(mine ^ names)[:3]
            raise ValueError(
                f"{f}: its coverage items differ from the other files ({', '.join(diff)}): another model"
            )
        names = mine
        for name, attrs in db.items():
            if not isinstance(attrs, dict) or HITS not in attrs:
                continue
            hits = attrs[HITS]
            if name not in items:
                items[name] = {"at_least": int(attrs.get("at_least", 1)), "hits": dict(hits)}
                continue
            have = items[name]["hits"]
            if set(have) != set(hits):
                raise ValueError(f"{f}: the bins of {name} differ from the other files (another model?)")
            for b, n in hits.items():
                have[b] += int(n)
    return items


def group_of(name: str) -> str:
    """``csai.chip.shape.m`` -> ``chip.shape``: the group a coverpoint or cross is reported in."""
    parts = name.split(".")
    return ".".join(parts[1:3]) if len(parts) > 3 else ".".join(parts[1:])


def summarize(items: dict[str, dict]) -> tuple[dict[str, list[int]], list[str]]:
    groups: dict[str, list[int]] = {}
    holes: list[str] = []
    for name in sorted(items):
        it = items[name]
        g = groups.setdefault(group_of(name), [0, 0])
        for b, n in it["hits"].items():
            g[1] += 1
            if n >= it["at_least"]:
                g[0] += 1
            else:
                holes.append(f"{name}: {b}")
    return groups, holes


def write_merged(items: dict[str, dict], out: Path) -> None:
    data = {
        name: {
            "at_least": it["at_least"],
            HITS: it["hits"],
            "size": len(it["hits"]),
            "coverage": sum(n >= it["at_least"] for n in it["hits"].values()),
        }
        for name, it in sorted(items.items())
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(data, sort_keys=True))
    os.replace(tmp, out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", default=[str(REPO / "build" / "sim")])
    ap.add_argument("--out", default=str(REPO / "build" / "fcov" / "merged.yml"))
    ap.add_argument("--min", type=float, default=None, help="fail (exit 1) below this total percentage")
    ap.add_argument("--max-holes", type=int, default=200, help="holes listed at most")
    args = ap.parse_args(argv)
    try:
        files = find_files(args.paths)
        if not files:
            raise ValueError(f"no fcov*.yml under {' '.join(args.paths)} (did a simulation run?)")
        items = merge(files)
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    write_merged(items, Path(args.out))
    groups, holes = summarize(items)
    hit = sum(g[0] for g in groups.values())
    size = sum(g[1] for g in groups.values())
    print(f"functional coverage: {len(files)} simulation(s) merged into {args.out}")
    print(f"{'group':<22} {'covered':>8} {'bins':>6} {'%':>7}")
    for name, (h, s) in sorted(groups.items()):
        print(f"{name:<22} {h:>8} {s:>6} {100 * h / s:>6.1f}%")
    total = 100 * hit / size if size else 0.0
    print(f"{'TOTAL':<22} {hit:>8} {size:>6} {total:>6.1f}%")
    if holes:
        print(f"holes ({len(holes)}):")
        for h in holes[: args.max_holes]:
            print(f"  {h}")
        if len(holes) > args.max_holes:
            print(f"  ... and {len(holes) - args.max_holes} more (see {args.out})")
    if args.min is not None and total < args.min:
        print(f"functional coverage {total:.1f}% is below the target {args.min:g}%")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
