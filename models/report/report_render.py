"""Human-readable outputs of the report: Markdown and the console summary. Pure functions."""

from __future__ import annotations

from collections import defaultdict

from models.report.differences import note_comparison
from models.report.performance import ModelPerformance
from models.report.report_data import Labels, bindings_text, host_ops_by_name, non_gemm_policy
from models.report.seed_note import NOTE_SCENARIOS, note_method
from models.transformer.accounting import GEMM_GROUPS
from models.transformer.workloads import embedding_parameters, head_parameters, layer_parameters


def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} us"


def fmt_count(n: float) -> str:
    for div, suffix in ((1e12, " T"), (1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(n) >= div:
            return f"{n / div:.3g}{suffix}"
    return f"{n:.3g}"


def fmt_rate(x: float) -> str:
    return f"{x:.3g}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _summary_table(results: list[ModelPerformance], labels: Labels) -> tuple[list[str], list[list[str]]]:
    header = [
        "model",
        "scenario",
        "params",
        "MACs",
        "bytes moved",
        "cycles",
        "chip",
        "host",
        "end to end",
        "throughput (end to end)",
        "array use",
        "memory; clock; host",
    ]
    header.append("binding GEMMs (share of cycles, bound)")
    bound = any(p.ideal_latency_s is not None for p in results)
    if bound:
        header.insert(header.index("chip") + 1, "chip, ideal memory (bound)")
    rows = [
        [
            p.spec.name,
            p.scenario.describe(),
            fmt_count(p.params),
            fmt_count(p.macs),
            fmt_count(p.bytes_moved) + "B",
            f"{p.cycles:,}",
            fmt_time(p.latency_s),
            fmt_time(p.host_s) if p.host is not None else "-",
            fmt_time(p.end_to_end_s),
            f"{fmt_rate(p.end_to_end_throughput)} {p.throughput_unit}",
            f"{p.utilization:.1%}",
            labels.short,
            bindings_text(p),
        ]
        for p in results
    ]
    if bound:
        at = header.index("chip, ideal memory (bound)")
        for p, r in zip(results, rows, strict=True):
            ideal = p.ideal_latency_s
            r.insert(at, fmt_time(ideal) if ideal is not None else "-")
    return header, rows


def _comparison_table(results: list[ModelPerformance]) -> tuple[list[str], list[list[str]]]:
    header = [
        "model",
        "chip, dense",
        "chip, block-sparse",
        "end to end, block-sparse",
        "sparse gain (chip)",
        "the note",
        "note / ours (chip)",
        "why they differ",
    ]
    rows = []
    for p in results:
        note = note_comparison(p)
        rows.append(
            [
                p.spec.name,
                fmt_time(p.latency_s),
                f"{fmt_time(p.sparse_latency_s)} ({p.chip.sparsity:.0%} blocks zero)",
                fmt_time(p.sparse_end_to_end_s),
                f"{p.cycles / p.sparse_cycles:.2f}x",
                note.printed if note else "-",
                f"{note.ratio:.1f}x" if note else "-",
                note.reason if note else "-",
            ]
        )
    return header, rows


def _chip_line(results: list[ModelPerformance], labels: Labels) -> str:
    c = results[0].chip
    return (
        f"Chip: {c.array_n}x{c.array_n} MAC array ({c.peak_macs_per_cycle} MACs/cycle peak), "
        f"{c.bus_bits}-bit bus "
        f"({c.bus_w_bytes} B/cycle), "
        + (
            f"memory latency {c.mem_latency} cycles per GEMM, "
            if c.memory == "ideal"
            else "DRAM model memory, "
        )
        + f"{c.clock_mhz:g} MHz "
        f"({labels.clock.kind}). Cycle model: {labels.cycle_model}."
    )


def console_summary(results: list[ModelPerformance], labels: Labels) -> str:
    """Plain-text tables for the terminal."""

    def plain(header: list[str], rows: list[list[str]], wrap_last: bool = False) -> str:
        cols = header[:-1] if wrap_last else header
        widths = [max(len(str(x)) for x in [h] + [r[i] for r in rows]) for i, h in enumerate(cols)]
        out = ["  ".join(h.ljust(w) for h, w in zip(cols, widths, strict=True))]
        for r in rows:
            out.append("  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=False)))
            if wrap_last:
                out.append(f"    {header[-1]}: {r[-1]}")
        return "\n".join(out)

    parts = [_chip_line(results, labels), *labels.lines(), non_gemm_policy(results, labels), ""]
    parts += [plain(*_summary_table(results, labels)), ""]
    parts.append(plain(*_comparison_table(results), wrap_last=True))
    return "\n".join(parts)


def _note_method_section(results: list[ModelPerformance]) -> str:
    lines = [
        "## The note's own method, reproduced",
        "",
        "`models/report/seed_note.py` applies the note's method to the note's inputs "
        "(532 cycles per 8x8 weight tile, 100 MHz, its tile counts, its rounding); "
        "the tests assert every figure it prints.",
        "",
    ]
    rows = []
    for name, s in NOTE_SCENARIOS.items():
        r = note_method(s)
        ours = next((p for p in results if p.spec.name == name), None)
        rows.append(
            [
                name,
                f"{r.attention_tiles:,} tiles, {r.attention_cycles:,} cycles, {r.attention_ms:g} ms",
                f"{r.ffn_tiles:,} tiles, {r.ffn_cycles:,} cycles, {r.ffn_ms:g} ms x {s.ffn_matrices_charged}",
                f"{r.layer_ms:g} ms",
                f"{r.total_ms / 1e3:g} s ({r.per_second:g}/s)",
                f"{fmt_time(ours.latency_s)}; {fmt_time(ours.end_to_end_s)}" if ours else "(not in this run)",
            ]
        )
    header = ["model", "note: attention", "note: FFN", "note: layer", "note: total", "ours: chip; end to end"]
    return "\n".join(lines) + "\n" + _table(header, rows)


def _gemm_section(p: ModelPerformance) -> str:
    first_layer = [c for c in p.gemms if c.gemm.layer == 0]
    head = [c for c in p.gemms if c.gemm.layer is None]
    rows = []
    for c in first_layer + head:
        g = c.gemm
        rows.append(
            [
                g.name,
                "head" if g.layer is None else f"each of {p.spec.layers}",
                f"{g.m} x {g.n} x {g.k}",
                f"{g.count:,}",
                f"{g.macs:,}",
                f"{g.weight_bytes * g.count:,}",
                f"{c.cycles:,}",
                f"{c.sparse_cycles:,}",
                c.dense.bound,
                c.dense.source
                if c.dense.source == c.sparse.source
                else f"{c.dense.source} / {c.sparse.source}",
            ]
        )
    header = [
        "GEMM",
        "layer",
        "M x N x K",
        "count",
        "MACs",
        "weight bytes",
        "cycles",
        "sparse cycles",
        "bound",
        "source",
    ]
    by_group: dict[str, int] = defaultdict(int)
    for c in p.gemms:
        by_group[c.gemm.group] += c.cycles
    groups = ", ".join(f"{g} {by_group[g] / p.gemm_cycles:.1%}" for g in GEMM_GROUPS if g in by_group)
    return _table(header, rows) + f"\n\nShare of GEMM cycles: {groups}."


def _vector_section(p: ModelPerformance) -> str:
    """The non-GEMM work by op: the host's lane ops, bytes and time (roofline per op)."""
    hypothetical = (
        f"On a HYPOTHETICAL {p.chip.array_n}-lane vector unit beside the array "
        f"({p.non_gemm_ops:,} scalar ops) it would take {p.non_gemm_cycles:,} chip cycles "
        f"({fmt_time(p.seconds(p.non_gemm_cycles))}); "
        + ("added to the chip's cycles (`--add-non-gemm`)." if p.chip.add_non_gemm else "not added.")
    )
    if p.host is None:
        agg: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for op in p.vector_ops:
            a = agg[op.name]
            a[0] += op.elements
            a[1] += op.ops
            a[2] += op.bytes_read + op.bytes_written
        rows = [[name, f"{e:,}", f"{o:,}", f"{b:,}"] for name, (e, o, b) in agg.items()]
        header = ["non-GEMM op", "elements", "scalar ops", "bytes read+written"]
        return _table(header, rows) + "\n\n" + hypothetical
    rows = []
    total = p.host_s
    for name, a in host_ops_by_name(p).items():
        rows.append(
            [
                name,
                f"{a['elements']:,}",
                f"{a['int8_ops']:,}",
                f"{a['int32_ops']:,}",
                f"{a['f32_ops']:,}",
                f"{a['convert_ops']:,}",
                f"{a['bytes']:,}",
                fmt_time(a["seconds"]),
                f"{a['seconds'] / total:.0%}" if total else "-",
                a["bound"],
            ]
        )
    header = [
        "non-GEMM op (host)",
        "elements",
        "int8 lane ops",
        "int32 lane ops",
        "f32 lane ops",
        "(de)quantize lane ops",
        "bytes read+written",
        "host time",
        "share",
        "bound",
    ]
    return (
        _table(header, rows)
        + f"\n\nHost total {fmt_time(p.host_s)} ({p.host.host.short}, overlap {p.host.overlap}); chip "
        f"{fmt_time(p.latency_s)}; end to end {fmt_time(p.end_to_end_s)} "
        f"(host {p.host_s / (p.latency_s + p.host_s):.1%} of chip + host). " + hypothetical
    )


def _model_section(p: ModelPerformance) -> str:
    s = p.spec
    params = (
        f"{p.params:,} parameters = embeddings {embedding_parameters(s):,} "
        f"+ {s.layers} x {layer_parameters(s):,} per layer + head {head_parameters(s):,}"
    )
    shape = (
        f"{s.arch}, hidden {s.hidden}, intermediate {s.intermediate} ({s.ffn_kind}), {s.layers} layers, "
        f"{s.heads} heads of {s.head_dim}, {s.kv_heads} KV heads, vocab {s.vocab:,}, "
        f"{s.max_positions} positions"
    )
    return "\n\n".join(
        [
            f"### {s.name}: {p.scenario.describe()}",
            f"{shape}. {params}.",
            f"Chip {fmt_time(p.latency_s)} ({p.cycles:,} cycles), host {fmt_time(p.host_s)}, end to end "
            f"{fmt_time(p.end_to_end_s)} ({fmt_rate(p.end_to_end_throughput)} {p.throughput_unit}; "
            f"chip alone {fmt_rate(p.throughput)}), "
            f"array use {p.utilization:.1%}, {p.memory_bound_share:.0%} of cycles in memory-bound GEMMs.",
            _gemm_section(p),
            _vector_section(p),
        ]
    )


def markdown(results: list[ModelPerformance], labels: Labels) -> str:
    parts = [
        "# Performance report",
        "",
        "Generated by `python -m models.report`; every figure is computed from the model configs, "
        "the scenario, the cycle model, the memory model, the clock and the host model named below. "
        "Nothing is measured here.",
        "",
        _chip_line(results, labels),
        "",
        *(f"* {line}" for line in labels.lines()),
        "",
        non_gemm_policy(results, labels),
        "",
        "## Summary (dense)",
        "",
        _table(*_summary_table(results, labels)),
        "",
        "## Block-sparse, and the design note beside ours",
        "",
        _table(*_comparison_table(results)),
        "",
        _note_method_section(results),
        "",
        "![latency](latency.png)\n\n![chip and host](chip_host_split.png)\n\n"
        "![per-layer breakdown](layer_breakdown.png)\n\n![roofline](roofline.png)",
        "",
        "## Models",
        "",
        "\n\n".join(_model_section(p) for p in results),
        "",
    ]
    return "\n".join(parts)
