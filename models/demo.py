"""``make demo``: a pretrained sentence encoder (all-MiniLM-L6-v2) in the chip's INT8 arithmetic.

    python -m models.demo [--executor golden|chip] [--layer L] [sentence ...]

Prints the sentences, their cosine-similarity matrices (float reference and INT8 chip
arithmetic, whole 6-layer encoder), the per-sentence cosine of the INT8 embedding against the
float one, then runs every GEMM of encoder layer ``--layer`` for the first sentence (padded to
16 tokens) through the executor: ``golden`` is the bit-exact model (``models.golden``), ``chip``
the simulated RTL as one descriptor chain (``run_chain_on_chip``, wired by the RTL side). Cycles
are predicted with ``models.cycle_model.gemm_cycles`` and, with the chip, measured.

All output is printed at the end, so a failure prints one ``error:`` line, nothing else, and
exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from models.minilm import DEMO_SENTENCES, RTL_SEQ_LEN, MiniLMError, default_model, token_ids

CLOCK_MHZ = 100.0


class ChipNotAvailable(MiniLMError):
    """The chip executor is selected but not wired (or its simulator is missing)."""


@dataclass(frozen=True)
class ChainRun:
    """What one descriptor chain on the simulated chip returns."""

    results: list[np.ndarray]  # one int array [M, N] per job, in job order
    cycles: int  # measured: start to done of the whole chain (the chip's PERF_CYCLES)
    # where each job was in the chip's memory: C address and stride, then (chip runs) A address,
    # LDA, B address, LDB, bias address, map address
    c_place: list[tuple[int, ...]]


def run_chain_on_chip(jobs: Sequence[object]) -> ChainRun:
    """Run ``jobs`` (``encoder_int8.GemmJob``, in order) as ONE descriptor chain on the RTL chip
    (``tb/chip_executor.py``: Icarus, or Verilator with SIM=verilator; the AXI memory model at
    latency 20); every C is checked against the golden model inside the simulation as well as here."""
    try:
        from tb.chip_executor import run_jobs_on_chip
    except ImportError as err:  # the testbench needs the repository's tb/ package and cocotb
        raise ChipNotAvailable(f"the chip executor cannot be loaded: {err}") from None
    try:
        r = run_jobs_on_chip(list(jobs))
    except AssertionError as err:
        raise ChipNotAvailable(f"the RTL run failed: {str(err).splitlines()[0]}") from None
    return ChainRun(r.outputs, r.counters["total"], r.c_place)


def _matrix(title: str, m: np.ndarray) -> list[str]:
    n = m.shape[0]
    lines = [title, "      " + "".join(f"{f'S{j}':>7}" for j in range(n))]
    lines += [f"  S{i:<3}" + "".join(f"{m[i, j]:7.3f}" for j in range(n)) for i in range(n)]
    return lines


def predicted_layer_cycles(
    jobs: Sequence[object], c_place: Sequence[tuple[int, ...]] | None = None
) -> tuple[int, str]:
    """PERF_CYCLES of the jobs as one descriptor chain, predicted by the validated cycle model:
    ``engine_cycles`` of each job with its own flags (bias, per-channel scale) and, when given,
    where it lies in memory (reads and C row slices crossing a 4 KB page take two bursts), combined by
    ``cycle_model.chain_cycles`` (descriptor reads, no done cycle between GEMMs)."""
    from models.cycle_engine import F_BIAS, F_INT8, F_PERCH, F_RELU, engine_cycles
    from models.cycle_model import chain_cycles
    from models.performance import ChipParams

    chip = ChipParams()
    totals = []
    for i, job in enumerate(jobs):
        m, n, k = job.mnk  # type: ignore[attr-defined]
        q = job.q  # type: ignore[attr-defined]
        flags = (
            (F_INT8 if q.out_int8 else 0)
            | (F_RELU if q.relu else 0)
            | (F_BIAS if job.bias is not None else 0)  # type: ignore[attr-defined]
            | (F_PERCH if job.per_channel else 0)  # type: ignore[attr-defined]
        )
        place = tuple(c_place[i]) if c_place else (0, None)
        c_addr, ldc = place[0], place[1]
        addrs = (
            dict(zip(("a", "lda", "b", "ldb", "bias", "map"), place[2:], strict=True))
            if len(place) > 2
            else None
        )
        t = engine_cycles(
            m,
            n,
            k,
            array_n=chip.array_n,
            bus_w_bytes=chip.bus_w_bytes,
            read_latency=chip.mem_latency,
            write_latency=chip.mem_latency,
            flags=flags,
            c_addr=c_addr,
            ldc=ldc,
            addrs=addrs,
        )["total"]
        totals.append(t)
    total = chain_cycles(totals, bus_w_bytes=chip.bus_w_bytes, read_latency=chip.mem_latency)
    params = (
        f"array {chip.array_n}x{chip.array_n}, bus {chip.bus_bits} bit, memory latency {chip.mem_latency}"
    )
    return total, params


@lru_cache(maxsize=2)
def sentence_embeddings(sentences: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Unit sentence embeddings [n, 384]: float reference and INT8 chip arithmetic (6 layers)."""
    from models.encoder_float import embed_sentences
    from models.encoder_int8 import default_quant_model, embed_sentences_int8

    return embed_sentences(default_model(), sentences), embed_sentences_int8(default_quant_model(), sentences)


def demo(sentences: Sequence[str], executor: str, layer: int) -> list[str]:
    """Everything the demo prints, as lines (raises MiniLMError on bad input)."""
    from models.encoder_int8 import (
        default_quant_model,
        layer_case,
        replay_executor,
        row_cosines,
        run_layer,
    )

    model = default_model()
    ids = [token_ids(model.tokenizer, s) for s in sentences]
    for s, t in zip(sentences, ids, strict=True):
        if not s.strip():
            raise MiniLMError("empty sentence")
        if len(t) > RTL_SEQ_LEN:
            raise MiniLMError(
                f"sentence has {len(t)} tokens with [CLS]/[SEP], more than the supported {RTL_SEQ_LEN}: "
                f"{s[:40]!r}"
            )
    qm = default_quant_model()
    case = layer_case(qm, sentences[0], layer)
    names = [j.name for j in case.jobs]
    if executor == "chip":  # first, so that a chip problem fails fast
        run = run_chain_on_chip(case.jobs)
        got = dict(zip(names, run.results, strict=True))
    else:
        got = {j.name: r for j, r in zip(case.jobs, case.golden, strict=True)}
    mismatched = [n for n, g in zip(names, case.golden, strict=True) if not np.array_equal(got[n], g)]
    y = run_layer(qm.layers[layer], case.x, case.mask, replay_executor(got))
    rows = row_cosines(y, case.y_float)
    f, q = sentence_embeddings(tuple(sentences))
    cos = (f * q).sum(axis=1)
    predicted, params = predicted_layer_cycles(case.jobs, run.c_place if executor == "chip" else None)

    out = ["all-MiniLM-L6-v2 (6 layers, hidden 384, 12 heads) on CompactScaleAiChip arithmetic", ""]
    out += [f"  S{i}  {len(t):2d} tokens  {s}" for i, (s, t) in enumerate(zip(sentences, ids, strict=True))]
    out += ["", *_matrix("cosine similarity, float reference:", f @ f.T)]
    out += ["", *_matrix("cosine similarity, INT8 chip arithmetic (golden model, all 6 layers):", q @ q.T)]
    out += ["", "INT8 vs float embedding cosine per sentence: " + " ".join(f"{c:.4f}" for c in cos)]
    out += [f"  minimum {cos.min():.4f} (target >= 0.98)", ""]
    out += [
        f"layer {layer} of S0 ({int(case.mask.sum())} tokens padded to {len(case.mask)}): "
        f"{len(case.jobs)} GEMMs on the {executor} executor as one chain",
        f"  results equal to golden: {len(names) - len(mismatched)}/{len(names)}"
        + (f"  MISMATCH: {', '.join(mismatched)}" if mismatched else ""),
        f"  layer output vs float, cosine per token row: min {rows.min():.4f} (target >= 0.99), "
        f"mean {rows.mean():.4f}",
        f"  cycles predicted (the validated cycle model, {params}): {predicted:,}",
    ]
    if executor == "chip":
        err = (predicted - run.cycles) / run.cycles
        out.append(
            f"  cycles measured on the RTL (PERF_CYCLES of the chain): {run.cycles:,}; prediction error "
            f"{100 * err:+.2f} % (target within 1 %)"
        )
    per_layer = run.cycles if executor == "chip" else predicted
    label = "6 x the measured layer" if executor == "chip" else "predicted"
    total = per_layer * len(qm.layers)
    out.append(
        f"  whole model ({len(qm.layers)} layers, S = {RTL_SEQ_LEN}) at {CLOCK_MHZ:.0f} MHz, {label}: "
        f"{total:,} cycles = {total / CLOCK_MHZ / 1000:.2f} ms per sentence (GEMMs only; softmax, "
        "LayerNorm and GELU on the host not counted)"
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "sentences", nargs="*", help=f"sentences (default: the {len(DEMO_SENTENCES)} fixed ones)"
    )
    parser.add_argument("--executor", choices=("golden", "chip"), default="golden")
    parser.add_argument("--layer", type=int, default=0, help="encoder layer run through the executor")
    args = parser.parse_args(argv)
    try:
        lines = demo(args.sentences or list(DEMO_SENTENCES), args.executor, args.layer)
    except MiniLMError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
