"""The long random regression (``make regress``), shardable over machines, with merged coverage.

    python -m tb.flows.regress [--seeds '1 2 3 4'] [--cases 40] [--shard I/N] [--jobs 2] [--fcov-min PCT]

A unit of work is one (seed, build) pair: every whole-chip build (the three of ``make test`` and
the regress-only ones, e.g. ARRAY_N = 16), the controller, DMA and core builds, each run with all
its cocotb tests and ``CSAI_CHIP_CASES`` random GEMMs per chip build. ``--shard I/N`` keeps the
units whose index is I - 1 modulo N, so N CI jobs split the matrix between them. Per seed, one
pytest run (JUnit XML in ``build/regress/``); every build's ``fcov.yml`` is kept in
``build/fcov/regress/<shard>/s<seed>/``; at the end this shard's files are merged (CI merges the
shards' folders with ``make fcov FCOV_PATHS=...``) and the per-group
figures and holes printed (tb/flows/fcov_report.py). Replay one unit with
``make test SEED=<seed> ARRAY_N=.. BUS_W=.. TESTCASE=<test>`` (regress-only builds: add
``CSAI_REGRESS=1``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tb.flows import fcov_report

REPO = Path(__file__).resolve().parent.parent.parent
FILES = ["tb/test_chip.py", "tb/test_gemm_controller.py", "tb/test_dma.py", "tb/test_gemm_core.py"]


def parse_shard(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d+)/(\d+)", text)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise argparse.ArgumentTypeError(f"SHARD={text!r}: want I/N with 1 <= I <= N, e.g. 2/4")
    return int(m.group(1)), int(m.group(2))


def builds(env: dict) -> list[str]:
    """pytest node ids of every build of the regression files."""
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *FILES],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    ids = [ln.strip() for ln in out.stdout.splitlines() if "::" in ln]
    if not ids:
        raise RuntimeError(f"no builds collected: {out.stdout[-500:]}{out.stderr[-500:]}")
    return ids


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1 2 3 4")
    ap.add_argument("--cases", default="40")
    ap.add_argument("--shard", type=parse_shard, default=(1, 1))
    ap.add_argument("--jobs", default="2")
    ap.add_argument("--fcov-min", type=float, default=None)

    def one_line_error(msg: str) -> None:  # bad input: one line, exit 2 (no usage text)
        print(f"error: {msg}", file=sys.stderr)
        raise SystemExit(2)

    ap.error = one_line_error  # type: ignore[method-assign]
    try:
        args = ap.parse_args(argv)
        seeds = [int(s) for s in args.seeds.split()]
        int(args.cases)
    except ValueError:
        print(f"error: SEEDS and CASES must be integers (SEEDS={args.seeds!r} CASES={args.cases!r})")
        return 2
    if not seeds:
        print("error: SEEDS is empty")
        return 2
    env = {**os.environ, "CSAI_REGRESS": "1", "CSAI_CHIP_CASES": str(args.cases)}
    for k in ("TESTCASE", "ARRAY_N", "BUS_W"):
        env.pop(k, None)
    ids = builds(env)
    i, n = args.shard
    units = [(s, b) for s in seeds for b in ids]
    mine = [u for k, u in enumerate(units) if k % n == i - 1]
    tag = f"shard{i}of{n}"
    keep = REPO / "build" / "fcov" / "regress" / tag
    shutil.rmtree(keep, ignore_errors=True)
    print(
        f"regress {tag}: {len(mine)} of {len(units)} (seed, build) units; {args.cases} GEMMs per chip build"
    )
    rc = 0
    for seed in seeds:
        nodes = [b for s, b in mine if s == seed]
        if not nodes:
            continue
        print(f"== seed {seed}: {len(nodes)} builds", flush=True)
        for f in (REPO / "build" / "sim").glob("*/*/fcov.yml"):
            f.unlink()
        junit = REPO / "build" / "regress" / f"junit_{tag}_s{seed}.xml"
        cmd = [sys.executable, "-m", "pytest", *nodes, "-n", args.jobs, "-q", "-p", "no:cacheprovider",
               f"--junitxml={junit}"]  # fmt: skip
        r = subprocess.run(cmd, cwd=REPO, env={**env, "SEED": str(seed)}, check=False)
        rc = rc or r.returncode
        dest = keep / f"s{seed}"
        dest.mkdir(parents=True, exist_ok=True)
        for f in (REPO / "build" / "sim").glob("*/*/fcov.yml"):
            shutil.copy(f, dest / f"fcov_{f.parent.name}.yml")
    fargs = [str(keep), "--out", str(REPO / "build" / "fcov" / f"regress_{tag}.yml")]
    if args.fcov_min is not None:
        fargs += ["--min", str(args.fcov_min)]
    frc = fcov_report.main(fargs)
    return rc or (frc if frc == 1 else 0)


if __name__ == "__main__":
    raise SystemExit(main())
