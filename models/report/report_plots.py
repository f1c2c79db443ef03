"""PNG plots of the report (matplotlib, Agg backend), returned as bytes so the caller writes them."""

from __future__ import annotations

import io
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import ticker
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from models.report.differences import note_comparison
from models.report.performance import ModelPerformance
from models.report.report_data import Labels

GEMM_ORDER = (
    "attn_q",
    "attn_k",
    "attn_v",
    "attn_qkv",
    "attn_scores",
    "attn_context",
    "attn_o",
    "ffn_gate",
    "ffn_gate_up",
    "ffn_up",
    "ffn_down",
    "lm_head",
)
TAB10 = [f"C{i}" for i in range(10)]  # the default colour cycle
GEMM_COLORS = list(plt.get_cmap("tab20").colors)  # one per GEMM_ORDER entry (12 names)
GROUP_MARKERS = {"attention projections": "o", "attention over the sequence": "^", "FFN": "s", "LM head": "D"}


def _png(fig: Figure, labels: Labels) -> bytes:
    """The figure as PNG bytes; the memory, clock and host labels also go into its text chunks
    (Description), so a reader of the file alone can tell what it assumes."""
    buf = io.BytesIO()
    meta = {"Title": fig.axes[0].get_title().splitlines()[0], "Description": labels.full}
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata=meta)
    plt.close(fig)
    return buf.getvalue()


def _label(p: ModelPerformance) -> str:
    return f"{p.spec.name}\n{p.scenario.describe()}"


def latency_plot(results: list[ModelPerformance], labels: Labels) -> bytes:
    """Per model: our end-to-end (chip + host), chip-only dense and block-sparse latency and the
    note's figure, log scale."""
    fig, ax = plt.subplots(figsize=(9, 0.9 + 1.1 * len(results)))
    height = 0.2
    for i, p in enumerate(results):
        note = note_comparison(p)
        bars = [
            (p.end_to_end_s, "ours, end to end (chip + host), dense", "tab:purple"),
            (p.latency_s, "ours, chip only, dense", "tab:blue"),
            (p.sparse_latency_s, f"ours, chip only, {p.chip.sparsity:.0%} of blocks zero", "tab:green"),
        ]
        if note is not None:
            bars.append((note.note_seconds, "the design note", "tab:red"))
        for j, (seconds, label, color) in enumerate(bars):
            y = i + (j - (len(bars) - 1) / 2) * height
            ax.barh(y, seconds, height=height, color=color, label=label)
            ax.text(seconds * 1.08, y, _time_text(seconds), va="center", fontsize=7)
    ax.set_yticks(range(len(results)), [_label(p) for p in results], fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("latency per run (s, log scale)")
    lo = min(min(p.sparse_latency_s, p.latency_s) for p in results)
    hi = max(max(p.end_to_end_s, (note_comparison(p) or _NoNote).note_seconds) for p in results)
    ax.set_xlim(lo / 3, hi * 8)
    handles, names = ax.get_legend_handles_labels()
    unique = dict(zip(names, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    ax.set_title(f"Latency per run\n{labels.short}", fontsize=9)
    ax.grid(axis="x", which="major", alpha=0.3)
    return _png(fig, labels)


def split_plot(results: list[ModelPerformance], labels: Labels) -> bytes:
    """Per model: end-to-end latency split into chip and host time (overlap none: the sum)."""
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.6 * len(results)))
    for i, p in enumerate(results):
        total = p.latency_s + p.host_s
        chip, host = p.latency_s / total, p.host_s / total
        ax.barh(i, chip, color="tab:blue", label="chip (GEMMs)" if i == 0 else None)
        ax.barh(i, host, left=chip, color="tab:orange", label="host (non-GEMM work)" if i == 0 else None)
        ax.text(
            1.01,
            i,
            f"chip {_time_text(p.latency_s)} + host {_time_text(p.host_s)}; "
            f"end to end {_time_text(p.end_to_end_s)}",
            va="center",
            fontsize=7,
        )
    ax.set_yticks(range(len(results)), [_label(p) for p in results], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"share of chip + host time (end to end with overlap {labels.overlap})")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.2 / len(results)), ncol=2)
    ax.set_title(f"Where an inference spends its time\n{labels.short}", fontsize=9)
    return _png(fig, labels)


class _NoNote:
    note_seconds = 0.0


def _time_text(seconds: float) -> str:
    return f"{seconds:.3g} s" if seconds >= 1 else f"{seconds * 1e3:.3g} ms"


def layer_breakdown_plot(results: list[ModelPerformance], labels: Labels) -> bytes:
    """Per model: share of cycles by GEMM (summed over layers), hatched where memory-bound."""
    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.6 * len(results)))
    colors = GEMM_COLORS
    for i, p in enumerate(results):
        cycles: dict[str, int] = defaultdict(int)
        memory: dict[str, int] = defaultdict(int)
        for c in p.gemms:
            cycles[c.gemm.name] += c.cycles
            memory[c.gemm.name] += c.cycles if c.dense.bound == "memory" else 0
        left = 0.0
        for j, name in enumerate(GEMM_ORDER):
            if name not in cycles:
                continue
            share = cycles[name] / p.gemm_cycles
            hatch = "///" if memory[name] * 2 >= cycles[name] else None
            ax.barh(i, share, left=left, color=colors[j], hatch=hatch, edgecolor="white")
            if share > 0.06:
                ax.text(
                    left + share / 2, i, f"{share:.0%}", ha="center", va="center", fontsize=7, color="white"
                )
            left += share
    ax.set_yticks(range(len(results)), [_label(p) for p in results], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of GEMM cycles (hatched: memory-bound)")
    handles = [Rectangle((0, 0), 1, 1, color=colors[j]) for j in range(len(GEMM_ORDER))]
    handles.append(Rectangle((0, 0), 1, 1, facecolor="lightgrey", hatch="///", edgecolor="white"))
    names = [*GEMM_ORDER, "memory-bound"]
    ax.legend(
        handles,
        names,
        ncol=6,
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1 - 0.3 / len(results)),
    )
    ax.set_title(f"Where the chip's cycles go, by GEMM (all layers)\n{labels.memory} memory", fontsize=9)
    return _png(fig, labels)


def roofline_plot(results: list[ModelPerformance], labels: Labels) -> bytes:
    """The chip's roofline (peak MACs/cycle, bus bytes/cycle) with every distinct GEMM on it."""
    chip = results[0].chip
    fig, ax = plt.subplots(figsize=(9, 6))
    peak, bus = chip.peak_macs_per_cycle, chip.bus_w_bytes
    xs = [2.0**e for e in range(-2, 9)]
    ax.plot(
        xs,
        [min(peak, bus * x) for x in xs],
        color="black",
        lw=2,
        label=f"roof: {peak} MACs/cycle, {bus} B/cycle",
    )
    colors = TAB10
    for i, p in enumerate(results):
        seen = set()
        for c in p.gemms:
            g = c.gemm
            key = (g.name, g.m, g.n, g.k)
            if key in seen:
                continue
            seen.add(key)
            moved = c.dense.bytes_read + c.dense.bytes_written
            intensity = g.m * g.n * g.k / moved
            achieved = g.m * g.n * g.k / c.dense.cycles
            ax.scatter(
                intensity, achieved, color=colors[i % 10], marker=GROUP_MARKERS[g.group], s=28, alpha=0.8
            )
        ax.scatter([], [], color=colors[i % 10], marker="o", label=p.spec.name)
    for group, marker in GROUP_MARKERS.items():
        ax.scatter([], [], color="grey", marker=marker, label=group)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.axvline(peak / bus, color="grey", ls=":", lw=1)
    ax.text(peak / bus * 1.1, peak / 8, f"ridge: {peak / bus:g} MACs/byte", fontsize=8, color="grey")
    ax.set_xlabel("arithmetic intensity (MACs per byte moved over the bus)")
    ax.set_ylabel("MACs per cycle (one GEMM, incl. fill/drain and memory latency)")
    title = f"Roofline of the chip, every distinct GEMM of every model\n{labels.memory} memory"
    ax.set_title(title, fontsize=9)
    ax.grid(which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return _png(fig, labels)


def all_plots(results: list[ModelPerformance], labels: Labels) -> dict[str, bytes]:
    return {
        "latency.png": latency_plot(results, labels),
        "chip_host_split.png": split_plot(results, labels),
        "layer_breakdown.png": layer_breakdown_plot(results, labels),
        "roofline.png": roofline_plot(results, labels),
    }
