"""Where our figures differ from the design note's, computed: the report's note column and the
numbers table of ``docs/seed_differences.md``.

``python -m models.report.differences --write`` regenerates the table between the markers in that doc;
``--check`` exits 1 if the doc is stale (the tests run the same comparison).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from math import ceil
from pathlib import Path

from models.cycle import cycle_model
from models.cycle.cycle_model import GemmCycles
from models.report.performance import ChipParams, ModelPerformance, evaluate
from models.report.seed_note import (
    NOTE_FIGURES,
    NOTE_OPS_PER_TILE,
    NOTE_SCENARIOS,
    NOTE_TILE,
    NOTE_TILE_CYCLES,
    note_method,
    note_ops_per_cycle,
    note_speedup_range,
    note_tiles,
)
from models.transformer.accounting import GROUP_ATTN_PROJ, GROUP_ATTN_SEQ, GROUP_FFN, GROUP_LM_HEAD
from models.transformer.workloads import Scenario, resolve_model

DOC_PATH = Path(__file__).resolve().parent.parent.parent / "docs" / "seed_differences.md"
BEGIN_MARK = "<!-- BEGIN GENERATED: python -m models.report.differences --write -->"
END_MARK = "<!-- END GENERATED -->"
DEFAULT_CHIP = ChipParams()


@dataclass(frozen=True)
class NoteComparison:
    printed: str
    note_seconds: float
    ratio: float  # note / ours (> 1: the note is slower than our estimate)
    reason: str


def _weight_matrices(perf: ModelPerformance, group: str) -> int:
    return len({c.gemm.name for c in perf.gemms if c.gemm.group == group and c.gemm.has_weight})


def note_comparison(perf: ModelPerformance) -> NoteComparison | None:
    """The note's figure for this model and scenario kind, beside ours, with the reason they differ."""
    figure = NOTE_FIGURES.get(perf.spec.name)
    if figure is None or figure.scenario_kind != perf.scenario.kind:
        return None
    ours = f"ours: {perf.bound}-bound ({perf.memory_bound_share:.0%} of cycles in memory-bound GEMMs), " + (
        f"{perf.utilization:.1%} of the array's peak"
    )
    note_scenario = NOTE_SCENARIOS.get(perf.spec.name)
    if note_scenario is None:
        reason = f"note: {figure.derivation}; {ours}"
    else:
        missing = [f"{NOTE_TILE_CYCLES} cycles per 8x8 weight tile (a full 8x8x8 product for 64 useful MACs)"]
        missing.append(f"1 of {_weight_matrices(perf, GROUP_ATTN_PROJ)} attention projections")
        ffn_ours = _weight_matrices(perf, GROUP_FFN)
        if note_scenario.ffn_matrices_charged != ffn_ours:
            missing.append(f"FFN charged {note_scenario.ffn_matrices_charged}x of {ffn_ours} matrices")
        missing.append("no attention over the sequence")
        if perf.spec.family == "decoder":
            missing.append("no LM head")
        else:
            missing.append(f"no sequence length (we run {perf.scenario.seq_len} tokens)")
        reason = "note: " + ", ".join(missing) + "; " + ours
    return NoteComparison(figure.printed, figure.seconds, figure.seconds / perf.latency_s, reason)


# --- the numbers table of docs/seed_differences.md --------------------------------------------


def _group_cycles(perf: ModelPerformance, group: str, layer: int | None = 0) -> tuple[int, int]:
    """(MACs, cycles) of one group's GEMMs in one layer (``layer`` None: the head)."""
    costs = [c for c in perf.gemms if c.gemm.group == group and c.gemm.layer == layer]
    return sum(c.gemm.macs for c in costs), sum(c.cycles for c in costs)


def _cycles_with_faster_compute(perf: ModelPerformance, factor: int) -> int:
    """Total cycles if the array computed ``factor`` times faster and nothing else changed."""
    total = 0
    for c in perf.gemms:
        e = c.dense
        total += (
            max(ceil(e.compute_cycles / factor), e.memory_cycles) + perf.chip.mem_latency
        ) * c.gemm.count
    return total


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def difference_rows(
    chip: ChipParams = DEFAULT_CHIP,
    gemm_cycles: GemmCycles = cycle_model.gemm_cycles,
    decode_context: int = 128,
) -> list[tuple[str, str, str]]:
    """(difference, the note's figure, ours) for each of the 8 differences in seed/NOTES.md."""
    tiny, distil, small = (
        resolve_model(n) for n in ("tinyllama-1.1b", "distilbert-base-uncased", "custom-10m")
    )
    tiny_decode = evaluate(tiny, Scenario.decode(decode_context), chip, gemm_cycles)
    note_tiny = note_method(NOTE_SCENARIOS["tinyllama-1.1b"])
    note_small = note_method(NOTE_SCENARIOS["custom-10m"])
    a = chip.array_n
    rows = []

    # the core alone (operands in its buffers): max(K, N) + fill/drain, docs/core.md, asserted
    # in tb/test_gemm_core.py; the whole chip from DRAM: the cycle model of START to C written
    core_single = a + cycle_model.fill_drain_cycles(a)
    chip_single = gemm_cycles(
        a, a, a, array_n=a, bus_w_bytes=chip.bus_w_bytes, mem_latency=chip.mem_latency, sparsity=0.0
    )
    ops_peak = 2 * a * a
    rows.append(
        (
            "1. cost of one 8x8x8 product",
            f"{NOTE_TILE_CYCLES} cycles, {note_ops_per_cycle()} ops/cycle "
            f"({note_ops_per_cycle() / (2 * NOTE_TILE**2):.1%} of the 128-op peak)",
            f"{core_single} cycles in the core (operands in its buffers; "
            f"{NOTE_TILE_CYCLES / core_single:.1f}x fewer), {chip_single.cycles} cycles as a whole GEMM "
            f"from DRAM (START to C written, memory latency {chip.mem_latency}); back to back one tile "
            f"every {a} cycles = {ops_peak} ops/cycle",
        )
    )

    h = tiny.hidden
    q_proj = next(c for c in tiny_decode.gemms if c.gemm.name == "attn_q" and c.gemm.layer == 0)
    rows.append(
        (
            "2. matrix-vector charged as matrix-matrix (TinyLlama Q, 1 token)",
            f"{note_tiles(h, h):,} tiles x {NOTE_OPS_PER_TILE // 2} MACs = {note_tiles(h, h) * 512:,} MACs, "
            f"{note_tiny.attention_cycles:,} cycles",
            f"{q_proj.gemm.macs:,} MACs, {q_proj.cycles:,} cycles ({q_proj.dense.bound}-bound: "
            f"{q_proj.dense.bytes_read:,} bytes over {chip.bus_w_bytes} B/cycle)",
        )
    )

    proj_macs, proj_cycles = _group_cycles(tiny_decode, GROUP_ATTN_PROJ)
    rows.append(
        (
            "3. attention = Q, K, V, O (TinyLlama GQA, per layer and token)",
            f"one {h}x{h} matrix: {h * h:,} MACs",
            f"4 projections, K and V {h}x{tiny.kv_dim}: {proj_macs:,} MACs, {proj_cycles:,} cycles",
        )
    )

    ffn_macs, ffn_cycles = _group_cycles(tiny_decode, GROUP_FFN)
    small_ffn = evaluate(small, Scenario.decode(decode_context), chip, gemm_cycles)
    small_ffn_macs, _ = _group_cycles(small_ffn, GROUP_FFN)
    rows.append(
        (
            "4. FFN matrices (per layer and token)",
            f"TinyLlama 2 x {h * tiny.intermediate:,} MACs; 10M 1 x {small.hidden * small.intermediate:,} "
            f"({note_small.ffn_ms} ms of its {note_small.layer_ms:g} ms layer)",
            f"TinyLlama gate+up+down {ffn_macs:,} MACs ({ffn_cycles:,} cycles); 10M (SwiGLU, our assumption) "
            f"{small_ffn_macs:,} MACs; DistilBERT up+down as the note",
        )
    )

    seq_macs, seq_cycles = _group_cycles(tiny_decode, GROUP_ATTN_SEQ)
    head_macs, head_cycles = _group_cycles(tiny_decode, GROUP_LM_HEAD, layer=None)
    total = tiny_decode.cycles
    rows.append(
        (
            f"5. attention over the context and LM head (TinyLlama decode, context {decode_context})",
            "not counted",
            f"Q.K^T + scores.V {seq_macs:,} MACs/layer "
            f"({seq_cycles * tiny.layers / total:.1%} of the token); "
            f"LM head {head_macs:,} MACs ({head_cycles / total:.1%} of the token)",
        )
    )

    distil_1 = evaluate(distil, Scenario.encoder(1), chip, gemm_cycles)
    distil_128 = evaluate(distil, Scenario.encoder(128), chip, gemm_cycles)
    rows.append(
        (
            "6. sequence length (DistilBERT)",
            f"none stated; {NOTE_FIGURES['distilbert-base-uncased'].printed}",
            f"1 token: {_ms(distil_1.latency_s)} ({distil_1.bound}-bound, "
            f"{distil_1.utilization:.1%} of peak); "
            f"128 tokens: {_ms(distil_128.latency_s)} ({distil_128.bound}-bound, "
            f"{distil_128.utilization:.1%} of peak)",
        )
    )

    fp32 = evaluate(
        tiny, Scenario.decode(decode_context), replace(chip, bus_bits=chip.bus_bits // 4), gemm_cycles
    )
    faster = _cycles_with_faster_compute(tiny_decode, 4)
    int8_lo, int8_hi = note_speedup_range(note_tiny.total_ms / 1e3, 8, 16)
    rows.append(
        (
            "7. speedups multiplied (TinyLlama decode)",
            f"INT8 8-16x ({note_tiny.total_ms / 1e3:g} s -> {int8_lo}-{int8_hi} s/token); pipelining 4x",
            f"INT8 vs FP32 operands on the same bus: {fp32.cycles / tiny_decode.cycles:.2f}x; "
            f"a 4x faster array: {tiny_decode.cycles / faster:.2f}x (memory binds)",
        )
    )

    sp_lo, sp_hi = note_speedup_range(note_tiny.total_ms / 1e3, 5, 7)
    rows.append(
        (
            f"8. sparsity {chip.sparsity:.0%} (TinyLlama decode)",
            f"10x in theory, 5-7x in practice ({sp_lo}-{sp_hi} s/token)",
            f"unstructured zeros: 1.00x ({_ms(tiny_decode.latency_s)}/token, no tile is skipped); "
            f"{chip.sparsity:.0%} of {a}x{a} weight blocks zero: "
            f"{tiny_decode.cycles / tiny_decode.sparse_cycles:.2f}x "
            f"({_ms(tiny_decode.sparse_latency_s)}/token)",
        )
    )
    return rows


def render_table(rows: list[tuple[str, str, str]], chip: ChipParams = DEFAULT_CHIP) -> str:
    label = getattr(cycle_model, "MODEL_LABEL", "cycle model")
    lines = [
        BEGIN_MARK,
        f"Chip: {chip.array_n}x{chip.array_n} array, {chip.bus_bits}-bit bus, memory latency "
        f"{chip.mem_latency} cycles, {chip.clock_mhz:g} MHz; "
        f"cycles from `models/cycle/cycle_model.py` ({label}).",
        "",
        "| difference | the note | ours |",
        "|---|---|---|",
    ]
    lines += [f"| {topic} | {note} | {ours} |" for topic, note, ours in rows]
    lines.append(END_MARK)
    return "\n".join(lines)


def updated_doc(text: str, table: str) -> str:
    """The doc with the text between the markers replaced by ``table``."""
    start, end = text.find(BEGIN_MARK), text.find(END_MARK)
    if start < 0 or end < start:
        raise ValueError(f"markers not found in {DOC_PATH}")
    return text[:start] + table + text[end + len(END_MARK) :]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite the table in {DOC_PATH.name}")
    parser.add_argument("--check", action="store_true", help="exit 1 if the doc's table is stale")
    args = parser.parse_args(argv)
    table = render_table(difference_rows())
    if not (args.write or args.check):
        print(table)
        return 0
    text = DOC_PATH.read_text(encoding="utf-8")
    new = updated_doc(text, table)
    if args.check:
        if new != text:
            print(f"{DOC_PATH} is stale: run python -m models.report.differences --write", file=sys.stderr)
            return 1
        return 0
    tmp = DOC_PATH.with_name(DOC_PATH.name + ".tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(DOC_PATH)
    return 0


if __name__ == "__main__":
    sys.exit(main())
