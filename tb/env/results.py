"""Cycle counts as data: one JSON record per operation a test ran on the RTL.

The schema is documented in docs/results_schema.md; ``models/report/cli.py`` and the summary table of
``make sim`` read these files. Writes are atomic (temp file + rename), so a reader never sees a
half-written record.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1


def results_dir() -> Path:
    default = Path(__file__).resolve().parent.parent.parent / "build" / "results"
    return Path(os.environ.get("CSAI_RESULTS_DIR", default))


def record(
    test: str,
    array_n: int,
    m: int,
    n: int,
    k: int,
    flags: dict[str, Any],
    cycles: int,
    **extra: Any,
) -> Path:
    """Write one record; ``cycles`` must come from the RTL (its counters or harness events)."""
    if cycles <= 0:
        raise ValueError(f"{test}: cycles must be positive, got {cycles}")
    macs = int(m) * int(n) * int(k)
    rec: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "test": test,
        "array_n": int(array_n),
        "m": int(m),
        "n": int(n),
        "k": int(k),
        "flags": flags,
        "cycles": int(cycles),
        "macs": macs,
        "macs_per_cycle": macs / int(cycles),
        "peak_macs_per_cycle": int(array_n) ** 2,
        "utilization": macs / int(cycles) / int(array_n) ** 2,
        "build": os.environ.get("CSAI_BUILD_NAME", ""),
        "simulator": os.environ.get("CSAI_SIM", "icarus"),
        "seed": _seed(),
        "run_seed": os.environ.get("CSAI_RUN_SEED"),  # replay: SEED=<run_seed> TESTCASE=<test>
    }
    rec.update({key: _plain(v) for key, v in extra.items()})
    out = results_dir()
    out.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{rec['build'] or 'N' + str(array_n)}__{test}")
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".tmp_", suffix=".json")
    with os.fdopen(fd, "w") as fh:
        json.dump(rec, fh, indent=1, sort_keys=True)
    index = 0
    while True:
        path = out / f"{stem}__{index:03d}.json"
        try:
            os.link(tmp, path)  # atomic and never overwrites an earlier record
            break
        except FileExistsError:
            index += 1
    os.unlink(tmp)
    return path


def load_all(directory: Path | None = None) -> list[dict[str, Any]]:
    d = directory or results_dir()
    return [json.loads(p.read_text()) for p in sorted(d.glob("*.json"))]


def _seed() -> int | None:
    try:
        import cocotb

        return int(cocotb.RANDOM_SEED)
    except Exception:  # outside a simulation there is no cocotb seed
        return None


def _plain(v: Any) -> Any:
    if hasattr(v, "item"):
        return v.item()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v
