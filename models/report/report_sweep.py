"""One knob of the report swept over values: latency and throughput against it, bounds beside.

    python -m models.report --model tinyllama-1.1b --sweep context-len=128,512,1024,2048
    python -m models.report --model all-minilm-l6-v2 --sweep array-n=4,8,16

Every point is the ordinary report's evaluation (``models.report.performance.evaluate`` with the same
cycle model) with one knob changed. Beside each point are the two bounds no schedule beats: the
compute bound (MACs / N_arr^2 per cycle) and the bus bound (bytes the GEMMs must move / bus bytes
per cycle); their larger one is "the bound". Pure except ``write``; ``parse_sweep`` checks the
text of ``--sweep`` and raises ``WorkloadError`` naming the knob.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from math import ceil

from models.report.performance import ChipParams, ModelPerformance
from models.report.report_data import csv_text
from models.transformer.model_spec import ModelSpec, WorkloadError
from models.transformer.workloads import Scenario, validate_scenario

# knob -> where it lives (scenario or chip) and its field
KNOBS = {
    "context-len": ("scenario", "context_len"),
    "seq-len": ("scenario", "seq_len"),
    "batch": ("scenario", "batch"),
    "array-n": ("chip", "array_n"),
    "bus-bits": ("chip", "bus_bits"),
}


@dataclass(frozen=True)
class Sweep:
    knob: str
    values: tuple[int, ...]


def parse_sweep(text: str) -> Sweep:
    """``KNOB=V1,V2,...`` with a known knob and at least two distinct positive integers."""
    knob, sep, rest = text.partition("=")
    if not sep or knob not in KNOBS:
        raise WorkloadError(
            f"--sweep {text!r}: expected KNOB=V1,V2,... with KNOB one of {', '.join(KNOBS)}", "sweep"
        )
    try:
        values = tuple(int(v) for v in rest.split(","))
    except ValueError:
        raise WorkloadError(f"--sweep {knob}: values must be integers, got {rest!r}", "sweep") from None
    if len(set(values)) < 2 or min(values) < 1:
        raise WorkloadError(
            f"--sweep {knob}: give at least two distinct positive values, got {rest!r}", "sweep"
        )
    if knob == "bus-bits" and any(v % 8 for v in values):
        raise WorkloadError(f"--sweep bus-bits: values must be multiples of 8, got {rest!r}", "sweep")
    return Sweep(knob, tuple(sorted(set(values))))


def _point_scenario(scenario: Scenario, field: str, value: int) -> Scenario:
    if field == "seq_len" and scenario.kind == "decode":
        raise WorkloadError("--sweep seq-len does not apply to decode (one token per step)", "sweep")
    if field == "context_len" and scenario.kind != "decode":
        raise WorkloadError(f"--sweep context-len applies to decode only, not to {scenario.kind}", "sweep")
    changed = replace(scenario, **{field: value})
    if field == "seq_len":  # encoder and prefill attend over their own tokens
        changed = replace(changed, context_len=value)
    return changed


def point_inputs(
    runs: tuple[tuple[ModelSpec, Scenario], ...], chip: ChipParams, sweep: Sweep
) -> list[tuple[ModelSpec, Scenario, ChipParams]]:
    """Every (model, scenario, chip) of the sweep, model by model, values ascending; each scenario
    checked against its model (raises ``WorkloadError`` before anything is evaluated)."""
    where, field = KNOBS[sweep.knob]
    out = []
    for spec, scenario in runs:
        for value in sweep.values:
            s, c = scenario, chip
            if where == "scenario":
                s = _point_scenario(scenario, field, value)
                validate_scenario(spec, s)
            else:
                c = replace(chip, **{field: value})
            out.append((spec, s, c))
    return out


def points(
    runs: tuple[tuple[ModelSpec, Scenario], ...],
    chip: ChipParams,
    sweep: Sweep,
    evaluate: Callable[[ModelSpec, Scenario, ChipParams], ModelPerformance],
) -> list[ModelPerformance]:
    """Every point of the sweep evaluated."""
    return [evaluate(spec, s, c) for spec, s, c in point_inputs(runs, chip, sweep)]


def bound_cycles(p: ModelPerformance) -> tuple[int, int]:
    """(compute bound, bus bound) in cycles for the dense GEMMs of ``p``."""
    compute = ceil(p.macs / p.chip.peak_macs_per_cycle)
    bus = ceil(p.bytes_moved / p.chip.bus_w_bytes)
    return compute, bus


def rows(results: list[ModelPerformance], sweep: Sweep) -> list[dict]:
    where, field = KNOBS[sweep.knob]
    table = []
    for p in results:
        value = getattr(p.scenario if where == "scenario" else p.chip, field)
        compute, bus = bound_cycles(p)
        bound = max(compute, bus)
        table.append(
            {
                "model": p.spec.name,
                "scenario": p.scenario.describe(),
                sweep.knob: value,
                "cycles": p.cycles,
                "latency_s": p.latency_s,
                "throughput": p.throughput,
                "throughput_unit": p.throughput_unit,
                "bound_cycles": bound,
                "bound_latency_s": p.seconds(bound),
                "bound_throughput": p.items_per_run / p.seconds(bound),
                "binds": "bus" if bus >= compute else "compute",
                "of_bound": bound / p.cycles,
                "array_use": p.utilization,
            }
        )
    return table


def markdown(table: list[dict], sweep: Sweep, label: str, clock_mhz: float) -> str:
    lines = [
        f"# Sweep of {sweep.knob}",
        "",
        f"Cycles: {label}. Latency at {clock_mhz:g} MHz. The bound is max(compute bound, bus bound) of the "
        "GEMMs; 'of bound' is bound cycles / model cycles.",
        "",
        f"| model | scenario | {sweep.knob} | latency | throughput | bound latency | binds | of bound "
        "| array use |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table:
        lines.append(
            f"| {r['model']} | {r['scenario']} | {r[sweep.knob]} | {r['latency_s'] * 1e3:.3f} ms "
            f"| {r['throughput']:.4g} {r['throughput_unit']} | {r['bound_latency_s'] * 1e3:.3f} ms "
            f"| {r['binds']} | {r['of_bound']:.1%} | {r['array_use']:.1%} |"
        )
    return "\n".join(lines) + "\n"


def plot(table: list[dict], sweep: Sweep) -> bytes:
    """Latency and throughput against the knob, one colour per model, the bound dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (lat, thr) = plt.subplots(1, 2, figsize=(11, 4.2))
    models = list(dict.fromkeys(r["model"] for r in table))
    for i, model in enumerate(models):
        mine = [r for r in table if r["model"] == model]
        x = [r[sweep.knob] for r in mine]
        color = f"C{i % 10}"
        lat.plot(x, [r["latency_s"] * 1e3 for r in mine], "o-", color=color, label=model)
        lat.plot(x, [r["bound_latency_s"] * 1e3 for r in mine], "--", color=color, alpha=0.6)
        thr.plot(x, [r["throughput"] for r in mine], "o-", color=color, label=model)
        thr.plot(x, [r["bound_throughput"] for r in mine], "--", color=color, alpha=0.6)
    unit = table[0]["throughput_unit"]
    for ax, ylabel in ((lat, "latency (ms)"), (thr, unit)):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel(sweep.knob)
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
    lat.set_title("latency (dashed: the bound)")
    thr.set_title("throughput (dashed: the bound)")
    lat.legend(fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def outputs(table: list[dict], sweep: Sweep, label: str, clock_mhz: float, plots: bool) -> dict[str, bytes]:
    stem = f"sweep_{sweep.knob}"
    files = {
        f"{stem}.md": markdown(table, sweep, label, clock_mhz).encode(),
        f"{stem}.json": (
            json.dumps({"knob": sweep.knob, "label": label, "points": table}, indent=1) + "\n"
        ).encode(),
        f"{stem}.csv": csv_text(table).encode(),
    }
    if plots:
        files[f"{stem}.png"] = plot(table, sweep)
    return files
