"""``make demo``: all-MiniLM-L6-v2 through the RTL chip, stage by stage, on the chip's own outputs.

    python -m tb.flows.minilm_demo [--layers L] [--sentences N] [sentence ...]
    python -m tb.flows.minilm_demo --replay build/minilm/replay_S0_L0.score.npz

Every stage of every layer of every sentence runs as one descriptor chain on the simulated chip
(``tb.flows.minilm_staged``: one simulation for the whole run, through ``tb.env.sim.run_cocotb``), the host
work between stages on what the chip wrote. Prints the similarity matrices of the float reference
and of the embeddings computed from the chip's results, the per-sentence cosines, each stage's
measured PERF_CYCLES beside the cycle model's prediction, the whole model's cycles and latency.
``--replay FILE`` reruns the operands a failed stage saved as one chain (``tb.flows.chip_executor``).

Errors (missing weights or tokenizer, a sentence over 16 tokens, a failed RTL run, a stage whose
chip result differs from the golden model): one ``error:`` line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from models.demo.cli import (
    check_sentences,
    embedding_lines,
    float_embeddings,
    header,
    host_share_line,
    stage_table,
)
from models.demo.minilm import DEMO_SENTENCES, MiniLMError


@contextlib.contextmanager
def sim_log(path: Path) -> Iterator[None]:
    """The simulator's own output (it inherits file descriptors 1 and 2) goes to ``path``, so the
    demo's stdout carries the results only and a failure only its one error line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("w") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def chip_demo(sentences: list[str], layers: int) -> list[str]:
    """Everything the demo prints (raises MiniLMError on bad input or a failed run)."""
    from models.report.clock import Clock, report_clock
    from tb.env.mem_model import describe, dram_params, mem_model
    from tb.flows.minilm_staged import LATENCY, PARAMS, WORK, StageMismatch, run_staged_on_chip

    counts = check_sentences(sentences)  # before the simulation, so bad input fails fast
    clock = report_clock()
    if mem_model() == "dram":
        if not os.environ.get("DRAM_CHIP_MHZ"):
            # the DRAM's timing in chip cycles at the clock the latencies are quoted at (the
            # recorded place and route), not at the 100 MHz other MEM=dram targets assume
            os.environ["DRAM_CHIP_MHZ"] = f"{clock.mhz:g}"
        else:  # cycles of a DRAM converted at another clock: quote them at that clock
            mhz = dram_params(PARAMS["BUS_W"] // 8).chip_khz / 1000
            clock = Clock(
                mhz, "assumed", f"clock {mhz:g} MHz, assumed (DRAM_CHIP_MHZ)", f"{mhz:g} MHz, assumed"
            )
    t0 = time.monotonic()
    log = WORK / "sim.log"
    try:
        with sim_log(log):
            run = run_staged_on_chip(sentences, layers)
    except StageMismatch as err:
        raise MiniLMError(f"chip result differs from the golden model at {err}") from None
    except AssertionError as err:
        raise MiniLMError(f"the RTL run failed: {str(err).splitlines()[0]} (log: {log})") from None
    f = float_embeddings(sentences, layers)
    recs = run.stages
    exact = sum(r["predicted"] == r["total"] for r in recs)
    worst = max(abs(r["predicted"] - r["total"]) / r["total"] for r in recs)
    per_sentence = [sum(r["total"] for r in recs if r["sentence"] == i) for i in range(len(sentences))]
    predicted = sum(r["predicted"] for r in recs if r["sentence"] == 0)
    what = f"embeddings from the RTL chip's results ({layers} layers)"
    simulator = os.environ.get("SIM", "icarus")
    memory = (
        f"AXI memory model at latency {LATENCY[0]}/{LATENCY[1]}"
        if mem_model() == "ideal"
        else f"DRAM timing model ({describe(PARAMS['BUS_W'])})"
    )
    sim = f"{simulator} (tb/env/sim.py), {memory}, {PARAMS}"
    out = header(sentences, counts)
    out += embedding_lines(f, run.embeddings, what)
    out += [
        f"  chip-driven embedding equal to the golden model's bit for bit: "
        f"{sum(run.golden_equal)}/{len(run.golden_equal)} sentences",
        "",
        f"{len(recs)} descriptor chains ({len(recs) // len(sentences)} per sentence), every C bit-exact "
        f"with the golden model; one stage per line (same shapes in every layer):",
        *stage_table(recs, measured=True),
        f"  measured = predicted exactly in {exact}/{len(recs)} chains (largest error {100 * worst:.2f} %)",
        f"  {layers} layer(s) per sentence: {per_sentence[0]:,} cycles measured (PERF_CYCLES summed over "
        f"its {len(recs) // len(sentences)} chains), {predicted:,} predicted; all {len(sentences)} "
        f"sentences: {sum(per_sentence):,} cycles measured = {sum(per_sentence) / clock.mhz / 1000:.1f} ms "
        f"of chip time at {clock.short}",
        host_share_line(per_sentence[0], clock.mhz, clock.short)
        if layers == 6
        else "  host share: printed for the whole model (6 layers) only; this run had fewer",
        f"  simulation: {sim}; wall time {run.sim_seconds:.0f} s, demo total {time.monotonic() - t0:.0f} s",
    ]
    return out


def replay(path: str) -> list[str]:
    """Rerun a saved stage's operands as one chain (every C checked against the golden model)."""
    import json

    from tb.flows.chip_executor import run_saved_jobs
    from tb.flows.minilm_staged import WORK

    try:
        with sim_log(WORK / "replay.log"):
            r = run_saved_jobs(path)
    except FileNotFoundError:
        raise MiniLMError(f"replay file not found: {path}") from None
    except AssertionError as err:
        raise MiniLMError(f"the replayed chain failed: {str(err).splitlines()[0]}") from None
    return [f"replayed {path}: {len(r.outputs)} GEMMs bit-exact, counters {json.dumps(r.counters)}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "sentences", nargs="*", help=f"sentences (default: the {len(DEMO_SENTENCES)} fixed ones)"
    )
    parser.add_argument("--layers", type=int, default=6, choices=range(1, 7), help="encoder layers (1..6)")
    parser.add_argument("--sentences", dest="count", type=int, default=None, help="use the first N sentences")
    parser.add_argument("--replay", default=None, help="rerun a failed stage's saved operands")
    args = parser.parse_args(argv)
    sentences = (args.sentences or list(DEMO_SENTENCES))[: args.count]
    try:
        lines = replay(args.replay) if args.replay else chip_demo(sentences, args.layers)
    except MiniLMError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    np.set_printoptions(precision=4)
    raise SystemExit(main())
