"""The clock the report's latencies assume, and where it comes from.

Three sources, in this order:

1. ``--clock-mhz X`` on the command line: an assumed clock, labelled "assumed".
2. The recorded place-and-route result ``models/fpga_timing_record.json`` (written by
   ``make fpga``): the clock is its ``fmax_mhz`` rounded DOWN to a whole MHz (``STEP_MHZ``; a
   clock one would set up, never above what was routed), printed with the part, package, speed
   grade, seed and tool versions beside it. The record names the RTL it was made from
   (``rtl_sha256``: sha256 over ``rtl/*.v`` as ``models.cycle.cycle_model.sources_hash`` computes it,
   RTL files only); when ``rtl/*.v`` has changed since, the clock is labelled
   "from an older RTL (record <hash8>)": a label, not a failure.
3. No record: ``FALLBACK_MHZ`` (the design note's 100 MHz), labelled "assumed".

A record that exists but cannot be read, or lacks ``fmax_mhz`` or the fields printed beside it,
is an error (``ClockError``, one line naming the field); fields beyond those are ignored.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent.parent
RECORD = Path(__file__).resolve().parent.parent / "fpga_timing_record.json"
FALLBACK_MHZ = 100.0  # the design note's clock, used only when nothing better is known
STEP_MHZ = 1.0  # the recorded Fmax is rounded down to a multiple of this
REQUIRED = ("part", "speed_grade", "seed", "tools", "fmax_mhz", "rtl_sha256")


class ClockError(ValueError):
    """A timing record that cannot be used; ``field`` names the offending field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def rtl_hash(repo: Path = REPO) -> str:
    """sha256 over rtl/*.v: sorted paths and contents, as ``cycle_model.sources_hash`` hashes them."""
    h = hashlib.sha256()
    for f in sorted((repo / "rtl").glob("*.v")):
        h.update(f"rtl/{f.name}\n".encode())
        h.update(f.read_bytes())
    return h.hexdigest()


@dataclass(frozen=True)
class Clock:
    """The report's clock: ``mhz`` and a label that says where it comes from."""

    mhz: float
    kind: str  # "recorded", "recorded, from an older RTL (record <hash8>)" or "assumed"
    label: str  # the full sentence (report headers, README)
    short: str  # the words printed beside every latency
    record: dict[str, Any] | None = None


def _tools(rec: dict[str, Any]) -> str:
    tools = rec["tools"]
    if isinstance(tools, dict):
        return ", ".join(f"{k} {v}" for k, v in tools.items())
    return str(tools)


def _check(rec: Any, where: str) -> dict[str, Any]:
    if not isinstance(rec, dict):
        raise ClockError(f"timing record {where}: top level must be a JSON object")
    for field in REQUIRED:
        if field not in rec or rec[field] in (None, ""):
            raise ClockError(f"timing record {where}: field '{field}' is missing", field)
    fmax = rec["fmax_mhz"]
    if isinstance(fmax, bool) or not isinstance(fmax, int | float) or not 0 < fmax < math.inf:
        raise ClockError(f"timing record {where}: field 'fmax_mhz' must be a positive number", "fmax_mhz")
    if not isinstance(rec["rtl_sha256"], str) or len(rec["rtl_sha256"]) < 8:
        raise ClockError(
            f"timing record {where}: field 'rtl_sha256' must be a sha256 hex digest", "rtl_sha256"
        )
    return rec


def recorded_clock(path: Path = RECORD, repo: Path = REPO) -> Clock | None:
    """The clock of the place-and-route record at ``path``, or None when there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ClockError(f"timing record {path}: cannot read ({exc.strerror})", "clock-record") from None
    try:
        rec = _check(json.loads(text), str(path))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ClockError(f"timing record {path}: not valid JSON ({exc})", "clock-record") from None
    fmax = float(rec["fmax_mhz"])
    mhz = math.floor(fmax / STEP_MHZ) * STEP_MHZ
    if mhz <= 0:
        raise ClockError(
            f"timing record {path}: fmax_mhz {fmax} is below the {STEP_MHZ:g} MHz step", "fmax_mhz"
        )
    current = rec["rtl_sha256"] == rtl_hash(repo)
    hash8 = rec["rtl_sha256"][:8]
    kind = "recorded" if current else f"recorded, from an older RTL (record {hash8})"
    package = f" {rec['package']}" if rec.get("package") else ""
    where = (
        f"place and route of {rec['part']}{package} speed grade {rec['speed_grade']}, seed {rec['seed']}, "
        f"{_tools(rec)}: Fmax {fmax:g} MHz rounded down to {mhz:g} MHz"
    )
    if rec.get("array_n") is not None:
        where += f" (ARRAY_N {rec['array_n']}, BUS_W {rec.get('bus_w', '?')})"
    if current:
        label = f"clock {mhz:g} MHz from the recorded {where}; RTL unchanged since (rtl {hash8})"
    else:
        label = (
            f"clock {mhz:g} MHz from an older RTL (record {hash8}): {where}; rtl/*.v has changed since "
            f"(now {rtl_hash(repo)[:8]}), re-run `make fpga`"
        )
    short = f"{mhz:g} MHz, P&R {rec['part']} speed {rec['speed_grade']} seed {rec['seed']}, {_tools(rec)}"
    if not current:
        short += f", from an older RTL (record {hash8})"
    return Clock(mhz, kind, label, short, rec)


def report_clock(assumed_mhz: float | None = None, path: Path = RECORD, repo: Path = REPO) -> Clock:
    """The clock the report uses (the order of the module doc)."""
    if assumed_mhz is not None:
        label = f"clock {assumed_mhz:g} MHz, assumed (--clock-mhz)"
        return Clock(assumed_mhz, "assumed", label, f"{assumed_mhz:g} MHz, assumed")
    recorded = recorded_clock(path, repo)
    if recorded is not None:
        return recorded
    return Clock(
        FALLBACK_MHZ,
        "assumed",
        f"clock {FALLBACK_MHZ:g} MHz, assumed (the design note's clock; no place-and-route record "
        f"{path.name}: run `make fpga`)",
        f"{FALLBACK_MHZ:g} MHz, assumed",
    )
