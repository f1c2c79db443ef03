"""Machine-readable outputs of the report: JSON and CSV. Pure functions."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from models.differences import note_comparison
from models.performance import ModelPerformance

NON_GEMM_POLICY = (
    "Non-GEMM work (embedding lookup, norms, rotary, softmax, activations, residual adds, token pick) "
    "runs on the host CPU on int8 tensors in shared memory; it is listed with element counts, scalar ops "
    "and bytes and is not added to the chip's cycles."
)
NON_GEMM_ADDED = (
    "Non-GEMM work is ADDED to the chip's cycles as if an N-lane vector unit (N scalar ops per cycle, "
    "sharing the bus) ran it; the RTL has no such unit."
)


def bindings_text(perf: ModelPerformance, top: int = 3) -> str:
    return ", ".join(f"{b.name} {b.share:.0%} ({b.bound})" for b in perf.bindings[:top])


def non_gemm_policy(results: list[ModelPerformance]) -> str:
    return NON_GEMM_ADDED if results and results[0].chip.add_non_gemm else NON_GEMM_POLICY


def summary_rows(results: list[ModelPerformance]) -> list[dict[str, Any]]:
    """One row per model: the figures of the summary table, unformatted."""
    rows = []
    for p in results:
        note = note_comparison(p)
        rows.append(
            {
                "model": p.spec.name,
                "scenario": p.scenario.describe(),
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


def json_text(results: list[ModelPerformance], label: str) -> str:
    chip = results[0].chip
    models = []
    for p, row in zip(results, summary_rows(results), strict=True):
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
                "non_gemm_cycles_on_vector_unit": p.non_gemm_cycles,
                "non_gemm_added": chip.add_non_gemm,
                "gemms": gemms,
                "non_gemm": ops,
            }
        )
    doc = {
        "schema": 1,
        "cycle_model": label,
        "chip": {
            "array_n": chip.array_n,
            "bus_bits": chip.bus_bits,
            "mem_latency": chip.mem_latency,
            "clock_mhz": chip.clock_mhz,
            "sparsity": chip.sparsity,
            "add_non_gemm": chip.add_non_gemm,
        },
        "non_gemm_policy": non_gemm_policy(results),
        "models": models,
    }
    return json.dumps(doc, indent=1) + "\n"


def _csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def summary_csv(results: list[ModelPerformance]) -> str:
    return _csv(summary_rows(results))


def gemms_csv(results: list[ModelPerformance]) -> str:
    rows = [
        {
            "model": p.spec.name,
            "scenario": p.scenario.kind,
            "layer": "head" if c.gemm.layer is None else c.gemm.layer,
            **_gemm_fields(c),
            "compute_cycles_each": c.dense.compute_cycles,
            "memory_cycles_each": c.dense.memory_cycles,
        }
        for p in results
        for c in p.gemms
    ]
    return _csv(rows)
