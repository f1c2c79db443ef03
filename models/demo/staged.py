"""The whole all-MiniLM-L6-v2 encoder as a sequence of chip stages, with the host work between.

A real driver runs the encoder as one descriptor chain per dependency stage (``encoder_int8.STAGES``:
q k v | the 12 score GEMMs | the 12 P.V GEMMs | o | ffn_up | ffn_down, six per layer) and does the
host work (softmax, LayerNorm, GELU, residuals, quantization) between two chains on what the chip
wrote. ``sentence_stages`` is that sequence for one sentence as a generator: it yields a ``Stage``
(its jobs), receives the jobs' results and returns the final hidden states, so any executor can
drive it: ``run_golden`` here (the bit-exact model), the RTL chip in ``tb/flows/minilm_staged.py`` (a
cocotb test that keeps one simulation alive for every stage of every sentence).

``predicted_chain_cycles`` is the validated cycle model of one stage's chain
(``chain_timing.chain_engine_cycles``: each GEMM with its own flags and placement, the descriptor
reads between them, on the ideal memory or the DRAM model).
"""

from __future__ import annotations

import functools
from collections.abc import Generator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from models.cycle.dram_timing import DramParams
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
    jobs: Sequence[GemmJob],
    c_place: Sequence[tuple] | None = None,
    descs: Sequence[int] | None = None,
    dram: DramParams | None = None,
) -> tuple[int, str]:
    """PERF_CYCLES of the jobs as one descriptor chain, predicted by the validated cycle model
    (``chain_timing.chain_engine_cycles``: the descriptor reads and every GEMM on one memory
    timeline): each job with its own flags and, when given, where its C lies in memory (row
    slices crossing a 4 KB page take two bursts) and where its operands lie (``c_place`` rows of
    (c_addr, ldc) or (c_addr, ldc, read addresses): read bursts split at 4 KB pages), ``descs``
    where its descriptors lie (default: 64-byte slots at 0xF0000), on the ideal memory at the
    chip's default latency or, with ``dram``, on the DRAM model from idle (as after the bulk load
    before each chain). Also returns the chip and memory parameters used.

    The timing depends on shapes, flags and addresses only, never on the operands' values (no
    job here is sparse), so the chains of every layer and sentence, which repeat the same six,
    are simulated once each (``_chain_total`` is cached on exactly those inputs)."""
    from models.report.performance import ChipParams

    chip = ChipParams()
    key = []
    for i, job in enumerate(jobs):
        place = c_place[i] if c_place else (0, None)
        addrs = tuple(sorted(place[2].items())) if len(place) > 2 and place[2] is not None else None
        key.append((*job.mnk, job_flags(job), place[0], place[1], addrs))
    slots = tuple(descs) if descs is not None else tuple(0xF0000 + 64 * i for i in range(len(jobs)))
    total = _chain_total(tuple(key), slots, dram)
    where = dram.label() if dram is not None else f"ideal memory at latency {chip.mem_latency}"
    return total, f"array {chip.array_n}x{chip.array_n}, bus {chip.bus_bits} bit, {where}"


@functools.lru_cache(maxsize=256)
def _chain_total(gemms: tuple, descs: tuple[int, ...], dram: DramParams | None) -> int:
    """``chain_engine_cycles`` of ``gemms`` rows (m, n, k, flags, c_addr, ldc, read addresses)."""
    from models.cycle.chain_timing import chain_engine_cycles
    from models.cycle.mem_timing import DramMemory, IdealMemory
    from models.report.performance import ChipParams

    chip = ChipParams()
    lat = chip.mem_latency
    args = [
        dict(
            m=m, n=n, k=k, array_n=chip.array_n, read_latency=lat, write_latency=lat, flags=flags,
            c_addr=c_addr, ldc=ldc, addrs=dict(addrs) if addrs is not None else None,
        )
        for m, n, k, flags, c_addr, ldc, addrs in gemms
    ]  # fmt: skip
    mem = DramMemory(dram) if dram is not None else IdealMemory(lat, lat)
    return chain_engine_cycles(args, list(descs), mem, bus_w_bytes=chip.bus_w_bytes)["total"]
