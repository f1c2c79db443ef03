"""The whole all-MiniLM-L6-v2 encoder as a sequence of chip stages, with the host work between.

A real driver runs the encoder as one descriptor chain per dependency stage (``encoder_int8.STAGES``:
q k v | the 12 score GEMMs | the 12 P.V GEMMs | o | ffn_up | ffn_down, six per layer) and does the
host work (softmax, LayerNorm, GELU, residuals, quantization) between two chains on what the chip
wrote. ``sentence_stages`` is that sequence for one sentence as a generator: it yields a ``Stage``
(its jobs), receives the jobs' results and returns the final hidden states, so any executor can
drive it: ``run_golden`` here (the bit-exact model), the RTL chip in ``tb/flows/minilm_staged.py`` (a
cocotb test that keeps one simulation alive for every stage of every sentence).

``predicted_chain_cycles`` is the validated cycle model of one stage's chain (``engine_cycles``
per GEMM with its own flags and C placement, ``cycle_model.chain_cycles`` for the chain).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from models.demo.encoder_float import embed, pool
from models.demo.encoder_int8 import GemmJob, IntArray, QuantModel, fast_executor, layer_stages
from models.demo.minilm import RTL_SEQ_LEN, encode

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Stage:
    """One descriptor chain: ``layer``.``name`` with its GEMM jobs in chain order."""

    layer: int
    name: str
    jobs: list[GemmJob]

    @property
    def label(self) -> str:
        return f"L{self.layer}.{self.name}"


SentenceStages = Generator[Stage, list[IntArray], FloatArray]


def sentence_stages(
    qm: QuantModel, sentence: str, layers: int | None = None, seq_len: int = RTL_SEQ_LEN
) -> SentenceStages:
    """Every stage of ``layers`` encoder layers (default: all) for one sentence padded to
    ``seq_len`` tokens; returns the unit sentence embedding (mean pooling over the valid tokens)."""
    e = encode(qm.model.tokenizer, sentence, seq_len)
    x = embed(qm.model, e.ids)
    n = len(qm.layers) if layers is None else layers
    for i, ql in enumerate(qm.layers[:n]):
        gen = layer_stages(ql, x, e.mask)
        try:
            name, jobs = next(gen)
            while True:
                results = yield Stage(i, name, jobs)
                name, jobs = gen.send(results)
        except StopIteration as stop:
            x = stop.value
    return pool(x, e.mask)


def run_golden(qm: QuantModel, sentence: str, layers: int | None = None) -> tuple[FloatArray, list[Stage]]:
    """The sentence through ``sentence_stages`` on the golden model (bit-exact, BLAS-summed):
    its embedding and the stages it ran."""
    gen = sentence_stages(qm, sentence, layers)
    stages: list[Stage] = []
    try:
        stage = next(gen)
        while True:
            stages.append(stage)
            stage = gen.send([fast_executor(j) for j in stage.jobs])
    except StopIteration as stop:
        return stop.value, stages


def job_flags(job: GemmJob) -> int:
    """The cycle engine's flags of one job (int8 out, ReLU, bias, per-channel scale)."""
    from models.cycle.cycle_engine import F_BIAS, F_INT8, F_PERCH, F_RELU

    return (
        (F_INT8 if job.q.out_int8 else 0)
        | (F_RELU if job.q.relu else 0)
        | (F_BIAS if job.bias is not None else 0)
        | (F_PERCH if job.per_channel else 0)
    )


def predicted_chain_cycles(
    jobs: Sequence[GemmJob], c_place: Sequence[tuple] | None = None
) -> tuple[int, str]:
    """PERF_CYCLES of the jobs as one descriptor chain, predicted by the validated cycle model:
    ``engine_cycles`` of each job with its own flags and, when given, where its C lies in memory
    (row slices crossing a 4 KB page take two bursts) and where its operands lie (``c_place``
    rows of (c_addr, ldc) or (c_addr, ldc, read addresses): read bursts split at 4 KB pages),
    combined by ``cycle_model.chain_cycles``
    (descriptor reads, no done cycle between GEMMs). Also returns the chip parameters used."""
    from models.cycle.cycle_engine import engine_cycles
    from models.cycle.cycle_model import chain_cycles
    from models.report.performance import ChipParams

    chip = ChipParams()
    totals = []
    for i, job in enumerate(jobs):
        m, n, k = job.mnk
        place = c_place[i] if c_place else (0, None)
        c_addr, ldc = place[0], place[1]
        addrs = place[2] if len(place) > 2 else None
        totals.append(
            engine_cycles(
                m,
                n,
                k,
                array_n=chip.array_n,
                bus_w_bytes=chip.bus_w_bytes,
                read_latency=chip.mem_latency,
                write_latency=chip.mem_latency,
                flags=job_flags(job),
                c_addr=c_addr,
                ldc=ldc,
                addrs=addrs,
            )["total"]
        )
    total = chain_cycles(totals, bus_w_bytes=chip.bus_w_bytes, read_latency=chip.mem_latency)
    params = (
        f"array {chip.array_n}x{chip.array_n}, bus {chip.bus_bits} bit, memory latency {chip.mem_latency}"
    )
    return total, params
