"""Machine-readable outputs of the report: JSON and CSV. Pure functions."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from models.report.clock import Clock
from models.report.differences import note_comparison
from models.report.host import HostParams
from models.report.performance import ModelPerformance

NON_GEMM_POLICY = (
    "Non-GEMM work (embedding lookup, norms, rotary, softmax, activations, residual adds, token pick, "
    "partial sums of K > KMAX, dequantize/requantize between stages) runs on the host CPU on int8 tensors "
    "in shared memory, timed by the host model ({host}); end to end = chip + host, overlap: {overlap}."
)
OVERLAP_RULES = {
    "none": "none (the host waits for the chip and the chip for the host)",
    "pipelined": "pipelined across layers (the host's work on layer i under the chip's work on layer i+1: "
    "an optimistic bound, models/report/host.py)",
}
NON_GEMM_ADDED = (
    "Non-GEMM work is ADDED to the chip's cycles as if a HYPOTHETICAL N-lane vector unit (N scalar ops per "
    "cycle, sharing the bus) ran it; the RTL has no such unit, and no host time is counted."
)


@dataclass(frozen=True)
class Labels:
    """Which cycle model, memory, clock and host the figures of one report assume."""

    cycle_model: str
    memory: str  # "ideal" (or "dram" once the cycle model has it)
    memory_label: str
    clock: Clock
    host: HostParams | None  # None: non-GEMM work on the hypothetical vector unit
    overlap: str

    @property
    def host_short(self) -> str:
        return self.host.short if self.host is not None else "no host (hypothetical vector unit)"

    @property
    def short(self) -> str:
        """Memory, clock and host in a few words, printed beside every headline figure."""
        return f"{self.memory} memory; {self.clock.short}; host {self.host_short}"

    @property
    def full(self) -> str:
        return " ".join(self.lines())

    def lines(self) -> list[str]:
        return [
            f"Memory: {self.memory_label}.",
            f"Clock: {self.clock.label}.",
            f"Host: {self.host.label() if self.host is not None else 'none: ' + NON_GEMM_ADDED}",
        ]


def bindings_text(perf: ModelPerformance, top: int = 3) -> str:
    return ", ".join(f"{b.name} {b.share:.0%} ({b.bound})" for b in perf.bindings[:top])


def non_gemm_policy(results: list[ModelPerformance], labels: Labels) -> str:
    if (results and results[0].chip.add_non_gemm) or labels.host is None:
        return NON_GEMM_ADDED
    return NON_GEMM_POLICY.format(host=labels.host.short, overlap=OVERLAP_RULES[labels.overlap])


HOST_SUM_FIELDS = (
    "elements", "int8_ops", "int32_ops", "f32_ops", "convert_ops", "bytes",
    "compute_s", "memory_s", "seconds",
)  # fmt: skip


def host_ops_by_name(p: ModelPerformance) -> dict[str, dict[str, Any]]:
    """The host's work summed by op name: elements, lane ops, bytes, seconds and what bounds it."""
    agg: dict[str, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(HOST_SUM_FIELDS, 0))
    if p.host is None:
        return {}
    for t in p.host.times:
        a, o = agg[t.op.name], t.op
        a["elements"] += o.elements
        a["int8_ops"] += o.lanes.int8
        a["int32_ops"] += o.lanes.int32
        a["f32_ops"] += o.lanes.f32
        a["convert_ops"] += o.lanes.convert
        a["bytes"] += o.bytes_read + o.bytes_written
        a["compute_s"] += t.compute_s
        a["memory_s"] += t.memory_s
        a["seconds"] += t.seconds
    for a in agg.values():
        a["bound"] = "compute" if a["compute_s"] >= a["memory_s"] else "memory"
    return dict(agg)


def summary_rows(results: list[ModelPerformance], labels: Labels) -> list[dict[str, Any]]:
    """One row per model: the figures of the summary table, unformatted."""
    rows = []
    for p in results:
        note = note_comparison(p)
        rows.append(
            {
                "model": p.spec.name,
                "scenario": p.scenario.describe(),
                "memory": labels.memory,
                "clock_mhz": labels.clock.mhz,
                "clock_source": labels.clock.short,
                "host": labels.host_short,
                "overlap": labels.overlap,
                "chip_s": p.latency_s,
                "host_s": p.host_s,
                "end_to_end_s": p.end_to_end_s,
                "sparse_end_to_end_s": p.sparse_end_to_end_s,
                "end_to_end_throughput": p.end_to_end_throughput,
                "params": p.params,
                "macs": p.macs,
                "bytes_moved": p.bytes_moved,
                "cycles": p.cycles,
                "latency_s": p.latency_s,
                "throughput": p.throughput,
                "throughput_unit": p.throughput_unit,
                "utilization": p.utilization,
                "bound": p.bound,
                "binding_gemms": bindings_text(p),
                "sparsity": p.chip.sparsity,
                "sparse_cycles": p.sparse_cycles,
                "sparse_latency_s": p.sparse_latency_s,
                "sparse_speedup": p.cycles / p.sparse_cycles,
                "non_gemm_ops": p.non_gemm_ops,
                "non_gemm_bytes": p.non_gemm_bytes,
                "note_figure": note.printed if note else "",
                "note_seconds": note.note_seconds if note else None,
                "note_over_ours": note.ratio if note else None,
                "note_reason": note.reason if note else "",
            }
        )
    return rows


def _gemm_fields(c: Any) -> dict[str, Any]:
    """The fields of one GEMM of a model that the JSON and the CSV both carry."""
    return {
        "name": c.gemm.name,
        "group": c.gemm.group,
        "m": c.gemm.m,
        "n": c.gemm.n,
        "k": c.gemm.k,
        "count": c.gemm.count,
        "macs": c.gemm.macs,
        "weight_bytes": c.gemm.weight_bytes,
        "bytes_read": c.dense.bytes_read * c.gemm.count,
        "bytes_written": c.dense.bytes_written * c.gemm.count,
        "cycles": c.cycles,
        "bound": c.dense.bound,
        "sparse_cycles": c.sparse_cycles,
        "source": c.dense.source,
        "sparse_source": c.sparse.source,
    }


def json_text(results: list[ModelPerformance], labels: Labels) -> str:
    chip = results[0].chip
    models = []
    for p, row in zip(results, summary_rows(results, labels), strict=True):
        gemms = [
            {
                "layer": c.gemm.layer,
                **_gemm_fields(c),
                "act_bytes": c.gemm.act_bytes,
                "out_bytes": c.gemm.out_bytes,
            }
            for c in p.gemms
        ]
        ops = [
            {
                "name": o.name,
                "layer": o.layer,
                "elements": o.elements,
                "ops": o.ops,
                "bytes_read": o.bytes_read,
                "bytes_written": o.bytes_written,
                "int8_ops": o.lanes.int8,
                "int32_ops": o.lanes.int32,
                "f32_ops": o.lanes.f32,
                "convert_ops": o.lanes.convert,
            }
            for o in p.vector_ops
        ]
        s = p.scenario
        models.append(
            row
            | {
                "arch": p.spec.arch,
                "family": p.spec.family,
                "scenario": {
                    "kind": s.kind,
                    "seq_len": s.seq_len,
                    "context_len": s.context_len,
                    "batch": s.batch,
                },
                "memory_bound_share": p.memory_bound_share,
                "ideal_memory_cycles": p.ideal_cycles,  # the bound beside a DRAM figure (None on ideal)
                "ideal_memory_chip_s": p.ideal_latency_s,
                "non_gemm_cycles_on_vector_unit": p.non_gemm_cycles,
                "non_gemm_added": chip.add_non_gemm,
                "gemms": gemms,
                "non_gemm": ops,
                "host_by_op": host_ops_by_name(p),
            }
        )
    host = labels.host
    doc = {
        "schema": 1,
        "cycle_model": labels.cycle_model,
        "memory": {"model": labels.memory, "label": labels.memory_label},
        "clock": {
            "mhz": labels.clock.mhz,
            "kind": labels.clock.kind,
            "label": labels.clock.label,
            "record": labels.clock.record,
        },
        "host": None
        if host is None
        else {
            "name": host.name,
            "file": host.path,
            "clock_mhz": host.clock_mhz,
            "cores_used": host.cores_used,
            "int8_ops_per_cycle": host.int8_ops_per_cycle,
            "int32_ops_per_cycle": host.int32_ops_per_cycle,
            "f32_ops_per_cycle": host.f32_ops_per_cycle,
            "memory_gb_per_s": host.memory_gb_per_s,
            "assumed": list(host.assumed),
            "label": host.label(),
        },
        "overlap": {"mode": labels.overlap, "rule": OVERLAP_RULES[labels.overlap]},
        "chip": {
            "array_n": chip.array_n,
            "bus_bits": chip.bus_bits,
            "mem_latency": chip.mem_latency,
            "clock_mhz": chip.clock_mhz,
            "sparsity": chip.sparsity,
            "add_non_gemm": chip.add_non_gemm,
            "memory": chip.memory,
        },
        "non_gemm_policy": non_gemm_policy(results, labels),
        "models": models,
    }
    return json.dumps(doc, indent=1) + "\n"


def csv_text(rows: list[dict[str, Any]]) -> str:
    """Rows of one shape as CSV, the header from the first row's keys (the report and the sweep)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def summary_csv(results: list[ModelPerformance], labels: Labels) -> str:
    return csv_text(summary_rows(results, labels))


def gemms_csv(results: list[ModelPerformance], labels: Labels) -> str:
    rows = [
        {
            "model": p.spec.name,
            "scenario": p.scenario.kind,
            "memory": labels.memory,
            "clock_mhz": labels.clock.mhz,
            "layer": "head" if c.gemm.layer is None else c.gemm.layer,
            **_gemm_fields(c),
            "compute_cycles_each": c.dense.compute_cycles,
            "memory_cycles_each": c.dense.memory_cycles,
        }
        for p in results
        for c in p.gemms
    ]
    return csv_text(rows)
