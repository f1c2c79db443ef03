"""Parse nextpnr-ecp5's outputs for `make fpga` (tools/fpga.py): utilisation, Fmax, paths.

Inputs (nextpnr 0.11, `common/kernel/report.cc`):
* the `--report FILE.json` of a finished run: `utilization` {bel bucket: {used, available}},
  `fmax` {clock: {achieved, constraint}} in MHz, `critical_paths` [{from, to, path: [segment]}]
  with one worst path per clock pair, each segment {type: clk-to-q|source|logic|routing|setup,
  delay (ns), from/to {cell, port, loc}, net and sources (RTL src attributes, routing only)};
  with `--detailed-timing-report` also `detailed_net_timings` [{net, driver, port, sources,
  endpoints: [{cell, port, delay: [min, max]}]}], where an endpoint's delay is its arrival
  time (ns from the launching clock edge);
* the log (`-l`), for a run that failed: its `ERROR:` line and the `Device utilisation:` table
  printed after packing (`<bucket>: <used>/<available> <pct>%`).

Nothing here runs a tool; tests/test_fpga_report.py checks it on a small fixture.
"""

from __future__ import annotations

import re
from collections import defaultdict

# The four resources the tables show: (label, nextpnr bel bucket or cell type)
RESOURCES = (
    ("LUT4", "TRELLIS_COMB"),
    ("FF", "TRELLIS_FF"),
    ("DP16KD", "DP16KD"),
    ("MULT18X18D", "MULT18X18D"),
)
# Endpoint ports that end a timing path at a sequential element (FF, block RAM, DSP input regs)
_SEQ_END = re.compile(r"^(M|DI|CE|LSR|CLK|D\w*|CE\w*|WE\w*|AD\w*|DI\w*|OCE\w*|RST\w*|[ABC]\d+)$")


class FpgaReportError(ValueError):
    pass


def utilisation(report: dict) -> dict[str, dict]:
    """{label: {used, available, percent}} for the four resources, then every other bucket used."""
    util = report.get("utilization")
    if not isinstance(util, dict):
        raise FpgaReportError("report has no 'utilization' object")
    out: dict[str, dict] = {}
    for label, bucket in RESOURCES:
        u = util.get(bucket, {"used": 0, "available": 0})
        out[label] = _entry(u["used"], u["available"])
    named = {b for _, b in RESOURCES}
    for bucket in sorted(util):
        if bucket not in named and util[bucket].get("used", 0):
            out[bucket] = _entry(util[bucket]["used"], util[bucket]["available"])
    return out


def _entry(used: int, available: int) -> dict:
    pct = round(100.0 * used / available, 1) if available else None
    return {"used": int(used), "available": int(available), "percent": pct}


def fmax(report: dict) -> dict[str, dict]:
    """{clock: {achieved_mhz, constraint_mhz, met}}."""
    f = report.get("fmax")
    if not isinstance(f, dict) or not f:
        raise FpgaReportError("report has no 'fmax' entry (no clock was timed)")
    return {
        clk: {
            "achieved_mhz": round(float(v["achieved"]), 2),
            "constraint_mhz": round(float(v["constraint"]), 2),
            "met": float(v["achieved"]) >= float(v["constraint"]),
        }
        for clk, v in sorted(f.items())
    }


def _cell_block(cell: str) -> str:
    """The RTL instance path of a cell name, e.g. u_chip.u_engine.u_core.u_array.<...>."""
    name = cell.lstrip("\\")
    name = re.sub(r"\$.*$", "", name)  # yosys' generated suffixes ($auto$..., $lut...)
    name = re.sub(r"_(DFF|LUT|CCU2C|comb|ff)\w*$", "", name)
    return name.rstrip(".") or cell


def path_summary(entry: dict) -> dict:
    """One critical path: start and end (cell.port), delay, logic levels, logic vs routing."""
    segs = entry.get("path") or []
    if not segs:
        raise FpgaReportError("critical path with no segments")
    total = sum(float(s["delay"]) for s in segs)
    routing = sum(float(s["delay"]) for s in segs if s.get("type") == "routing")
    logic_levels = sum(1 for s in segs if s.get("type") == "logic")
    sources: list[str] = []
    for s in segs:
        for src in "|".join(s.get("sources") or []).split("|"):
            short = _short_src(src)
            if short and short not in sources:
                sources.append(short)
    first, last = segs[0], segs[-1]
    return {
        "from_clock": entry.get("from", ""),
        "to_clock": entry.get("to", ""),
        "start": f"{first['from']['cell']}.{first['from']['port']}",
        "end": f"{last['to']['cell']}.{last['to']['port']}",
        "delay_ns": round(total, 3),
        "routing_ns": round(routing, 3),
        "logic_ns": round(total - routing, 3),
        "logic_levels": logic_levels,
        "nets": [s["net"] for s in segs if s.get("type") == "routing" and "net" in s],
        "rtl_sources": sources,
    }


def _short_src(src: str) -> str:
    """'…/work/src/dma_reader.v:120.5-120.30' -> 'dma_reader.v:120'."""
    m = re.search(r"([\w.]+\.v):(\d+)", src)
    return f"{m.group(1)}:{m.group(2)}" if m else ""


def critical_paths(report: dict) -> list[dict]:
    return [path_summary(e) for e in report.get("critical_paths") or []]


def worst_endpoints(report: dict, n: int = 15) -> list[dict]:
    """The N worst endpoint groups by arrival time, from `detailed_net_timings`.

    A group is the endpoint cell's name without bit indices (a register vector, a RAM, a DSP),
    so one wide bus counts once; each comes with the RTL sources of the net that feeds it. These
    are arrivals, not full paths: the ranking shows which blocks come after the worst path.
    """
    best: dict[str, dict] = {}
    for net in report.get("detailed_net_timings") or []:
        for ep in net.get("endpoints", []):
            arrival = float(ep["delay"][1]) if isinstance(ep["delay"], list) else float(ep["delay"])
            group = re.sub(r"\[\d+\]|_\d+_|\d+$", "", _cell_block(ep["cell"]))
            cur = best.get(group)
            if cur is None or arrival > cur["arrival_ns"]:
                best[group] = {
                    "endpoint": f"{ep['cell']}.{ep['port']}",
                    "group": group,
                    "arrival_ns": round(arrival, 3),
                    "driver": net.get("driver", ""),
                    "rtl_sources": [s for s in (_short_src(x) for x in net.get("sources", [])) if s][:4],
                }
    return sorted(best.values(), key=lambda e: -e["arrival_ns"])[:n]


def block_of(name: str) -> str:
    """The chip block a cell belongs to: the first instance under u_chip (u_engine's children)."""
    parts = [p for p in re.split(r"[./]", name.lstrip("\\")) if p]
    if parts and parts[0] == "u_chip":
        parts = parts[1:]
    if parts and parts[0] == "u_engine" and len(parts) > 1:
        return "u_engine." + parts[1]
    return parts[0] if parts else name


def arrivals_by_block(report: dict) -> dict[str, float]:
    """Worst endpoint arrival (ns) per chip block, from `detailed_net_timings`."""
    worst: dict[str, float] = defaultdict(float)
    for net in report.get("detailed_net_timings") or []:
        for ep in net.get("endpoints", []):
            arrival = float(ep["delay"][1]) if isinstance(ep["delay"], list) else float(ep["delay"])
            b = block_of(ep["cell"])
            worst[b] = max(worst[b], arrival)
    return dict(sorted(worst.items(), key=lambda kv: -kv[1]))


# --------------------------------------------------------------------------------------------
# The log of a failed run
# --------------------------------------------------------------------------------------------
_UTIL_LINE = re.compile(r"^Info:\s+(\w+):\s+(\d+)/\s*(\d+)\s+(\d+)%")


def log_utilisation(log: str) -> dict[str, dict]:
    """The last `Device utilisation:` table of a nextpnr log."""
    blocks = log.split("Device utilisation:")
    if len(blocks) < 2:
        return {}
    out: dict[str, dict] = {}
    for line in blocks[-1].splitlines()[1:]:
        m = _UTIL_LINE.match(line.strip() and line.replace("\t", " "))
        if not m:
            if out:
                break
            continue
        out[m.group(1)] = _entry(int(m.group(2)), int(m.group(3)))
    return out


def first_error(log: str) -> str:
    for line in log.splitlines():
        if line.startswith("ERROR:") or " ERROR: " in line:
            return line.split("ERROR:", 1)[1].strip()
    return ""


def failure_line(log: str, part: str) -> str:
    """One line for a nextpnr run that failed: over-capacity resources first, else its error."""
    util = log_utilisation(log)
    over = [f"{k} {v['used']}/{v['available']}" for k, v in util.items() if v["used"] > v["available"]]
    err = first_error(log)
    if over:
        return f"design does not fit {part}: {', '.join(over)} used/available" + (f" ({err})" if err else "")
    if err and re.search(r"no BELs remaining|unable to place|failed to place", err, re.I):
        used = ", ".join(f"{k} {v['used']}/{v['available']}" for k, v in util.items() if v["used"])
        return f"design does not fit {part}: {err}" + (f"; utilisation {used}" if used else "")
    return f"nextpnr failed on {part}: {err or 'no ERROR line in the log'}"
