"""The README's end-to-end figures (chip + host) of TinyLlama decode, DistilBERT and MiniLM,
generated so that they always say which memory, clock and host they assume, and so that a clock
from an older RTL is labelled as such.

    python -m models.report.readme_figures --write    # rewrite the block between the markers in README.md
    python -m models.report.readme_figures --check    # exit 1 if README.md is stale (the tests do the same)

Figures use the report's defaults (``python -m models.report``): the validated cycle model, the
DRAM model (tb/hdl/dram_model.v) with the ideal memory's chip time beside as the bound, the
report's clock (models/report/clock.py), the host of models/hosts/cortex_a53.json, overlap none.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from models.cycle import cycle_model
from models.report.cli import memory_label, write_atomically
from models.report.clock import report_clock
from models.report.differences import note_comparison
from models.report.host import host_share, load_host
from models.report.performance import ChipParams, ModelPerformance, evaluate
from models.report.report_data import host_ops_by_name
from models.report.report_render import fmt_count, fmt_time
from models.transformer.workloads import Scenario, resolve_model

README = Path(__file__).resolve().parent.parent.parent / "README.md"
BEGIN_MARK = "<!-- BEGIN GENERATED: python -m models.report.readme_figures --write -->"
END_MARK = "<!-- END GENERATED -->"
RUNS = (
    ("tinyllama-1.1b", "TinyLlama-1.1B, one decode token (context 128)", Scenario.decode(128)),
    ("distilbert-base-uncased", "DistilBERT, one 128-token inference", Scenario.encoder(128)),
    ("all-minilm-l6-v2", "all-MiniLM-L6-v2, one 128-token inference", Scenario.encoder(128)),
)
# the note has no MiniLM figure; its table of recommended uses puts a 10-50M model at < 500 ms
MINILM_NOTE = "none (its table: sentiment analysis, 10-50M parameters, < 500 ms)"


def results() -> list[ModelPerformance]:
    chip = ChipParams(clock_mhz=report_clock().mhz, memory="dram")
    host = load_host()
    out = []
    for name, _, scenario in RUNS:
        spec = resolve_model(name)
        p = evaluate(spec, scenario, chip, cycle_model.gemm_cycles)
        bound = evaluate(spec, scenario, replace(chip, memory="ideal"), cycle_model.gemm_cycles)
        out.append(replace(p, host=host_share(p.vector_ops, host), ideal_cycles=bound.gemm_cycles))
    return out


def _top_host_ops(p: ModelPerformance, n: int = 2) -> str:
    ops = sorted(host_ops_by_name(p).items(), key=lambda kv: -kv[1]["seconds"])
    return " and ".join(name for name, _ in ops[:n])


def _why(p: ModelPerformance) -> str:
    host = f"the host adds {fmt_time(p.host_s)} ({_top_host_ops(p)} most)"
    if p.spec.family == "decoder":
        note = "the note: 532 cycles per 8x8 weight tile, 1 of 4 projections, 2 of 3 FFN matrices, no LM head"
        ours = (
            f"ours streams every weight ({fmt_count(p.bytes_moved)}B) once at 8 B/cycle, memory-bound "
            f"at {p.utilization:.1%} of the array"
        )
    elif note_comparison(p) is not None:
        note = "the note: 532 cycles per 8x8 weight tile, 1 of 4 projections, no sequence length"
        ours = f"ours runs {p.scenario.seq_len} tokens compute-bound at {p.utilization:.1%} of the array"
    else:
        note = "no figure in the note"
        ours = (
            f"ours runs {p.scenario.seq_len} tokens compute-bound at {p.utilization:.1%} of the array, "
            f"{_against_table(p.end_to_end_s)}"
        )
    return f"{note}; {ours}; {host}"


def _against_table(seconds: float) -> str:
    """How an end-to-end latency compares with the note's 500 ms target, in words that hold both ways."""
    if seconds <= 500e-3:
        return f"{500e-3 / seconds:.1f}x inside the table's 500 ms"
    return f"{seconds / 500e-3:.2f}x over the table's 500 ms"


def render(perfs: list[ModelPerformance]) -> str:
    clock = report_clock()
    host = load_host()
    lines = [
        f"End to end, chip + host (`make report`; predicted by the validated cycle model and the host "
        f"model): memory: {memory_label('dram', ChipParams().mem_latency, clock.mhz)}, the ideal "
        f"memory beside as the bound ({memory_label('ideal', ChipParams().mem_latency)}); "
        f"{clock.label}; host: {host.label()}; overlap none (end to end = chip + host).",
        "",
        "| scenario | chip (DRAM) | chip, ideal memory (bound) | host | end to end | the design note "
        "| why they differ |",
        "|---|---|---|---|---|---|---|",
    ]
    for (_, title, _), p in zip(RUNS, perfs, strict=True):
        note = note_comparison(p)
        lines.append(
            f"| {title} at {clock.short} | {fmt_time(p.latency_s)} | {fmt_time(p.ideal_latency_s or 0)} | "
            f"{fmt_time(p.host_s)} | "
            f"**{fmt_time(p.end_to_end_s)}** | {note.printed if note else MINILM_NOTE} | {_why(p)} |"
        )
    return "\n".join(lines)


def updated_readme(text: str, block: str) -> str:
    start, end = text.index(BEGIN_MARK), text.index(END_MARK)
    return text[: start + len(BEGIN_MARK)] + "\n" + block + "\n" + text[end:]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m models.report.readme_figures", description=__doc__.splitlines()[0]
    )
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", action="store_true", help="rewrite the generated block of README.md")
    g.add_argument("--check", action="store_true", help="exit 1 if README.md is stale")
    args = p.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    new = updated_readme(text, render(results()))
    if args.check:
        if new != text:
            print(
                f"{README.name} is stale: run python -m models.report.readme_figures --write", file=sys.stderr
            )
            return 1
        return 0
    write_atomically(README, new.encode())
    print(f"wrote {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
