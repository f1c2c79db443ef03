"""Chip measurements for the report: a GEMM simulated on the whole chip is reported as measured.

``measured_index`` reads the records of build/results/ (tb/env/results.py, docs/results_schema.md)
written by whole-chip runs (tb/env/chip_host.py: tb/test_chip.py, tb/flows/bench_chip.py, the cycle-model
validation) that carry the chip's counters, the bus width and the memory latency.
``with_measurements`` wraps a ``GemmCycles`` model: a GEMM of the same shape, ARRAY_N, BUS_W and
memory latency (read = write, no stalls, no beat gap), with the report's flags (int8 output, bias,
no ReLU, no per-channel scale, overlap on) and the same block sparsity, returns the measured
counters with ``source = "measured"``; every other GEMM goes to the model.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from math import ceil
from pathlib import Path

from models.cycle.cycle_model import CycleEstimate, GemmCycles

RESULTS = Path(__file__).resolve().parent.parent.parent / "build" / "results"
REPORT_FLAGS = dict(out_int8=True, relu=False, bias_en=True, per_channel=False, overlap=True)

Key = tuple[int, int, int, int, int, int, float]  # m, n, k, array_n, bus_w bytes, latency, sparsity


def _key_of(rec: dict) -> Key | None:
    """The index key of a whole-chip GEMM record with the report's flags, or None."""
    f = rec.get("flags") or {}
    if "bus_w" not in rec or "mem_latency" not in rec or "bytes_read" not in rec:
        return None
    if any(f.get(name) != want for name, want in REPORT_FLAGS.items()):
        return None
    lat = rec["mem_latency"]
    if rec.get("mem_wr_latency", lat) != lat or rec.get("stall_prob", 0) or rec.get("beat_gap", 0):
        return None
    sparsity = float(rec.get("sparsity", 0.0)) if f.get("block_sparse") else 0.0
    return (rec["m"], rec["n"], rec["k"], rec["array_n"], rec["bus_w"] // 8, lat, round(sparsity, 6))


def measured_index(directory: Path | None = None) -> dict[Key, CycleEstimate]:
    """Measured estimates by key; the latest record of a key wins (by file modification time)."""
    d = directory or Path(os.environ.get("CSAI_RESULTS_DIR", RESULTS))
    out: dict[Key, CycleEstimate] = {}
    if not d.is_dir():
        return out
    for p in sorted(d.glob("*.json"), key=lambda q: q.stat().st_mtime):
        try:
            rec = json.loads(p.read_text())
        except (OSError, ValueError):
            continue
        key = _key_of(rec)
        if key is None:
            continue
        w = key[4]
        rd, wr, compute = rec["bytes_read"], rec["bytes_written"], rec.get("compute_cycles", 0)
        memory = ceil((rd + wr) / w)
        bound = "compute" if compute >= memory else "memory"
        out[key] = CycleEstimate(rec["cycles"], bound, rd, wr, compute, memory, source="measured")
    return out


def with_measurements(model: GemmCycles, index: dict[Key, CycleEstimate]) -> GemmCycles:
    """``model`` with the measured GEMMs of ``index`` substituted."""

    def gemm_cycles(
        m: int, n: int, k: int, *, array_n: int, bus_w_bytes: int, mem_latency: int, sparsity: float,
        dram_khz: int = 0,
    ) -> CycleEstimate:  # fmt: skip
        # the index holds ideal-memory runs only: on the DRAM model the cycle model answers
        hit = (
            None
            if dram_khz
            else index.get((m, n, k, array_n, bus_w_bytes, mem_latency, round(float(sparsity), 6)))
        )
        if hit is not None:
            return replace(hit)
        return model(
            m, n, k, array_n=array_n, bus_w_bytes=bus_w_bytes, mem_latency=mem_latency, sparsity=sparsity,
            dram_khz=dram_khz,
        )  # fmt: skip

    return gemm_cycles
