"""all-MiniLM-L6-v2 with every GEMM in the chip's INT8 arithmetic (``models.chip.golden``).

Quantization (symmetric, zero point 0), calibrated on the float model by
``models.demo.calibration.calibrate``:

* weights: int8 per output column j, s_w[j] = max|W[:, j]| / 127;
* activations entering a GEMM: int8, one scale per tensor (absmax / 127). The LayerNorm outputs
  x (into q, k, v) and a (into ffn_up) have a few outlier channels in every token; they are
  smoothed first (SmoothQuant, alpha = 0.5): the host divides channel c by f[c] before quantizing
  and the weight row c is multiplied by f[c], f[c] = max|act_c|**0.5 / max|W[c, :]|**0.5, which
  leaves the product unchanged and moves range from the activations to the per-column weights.
  The [CLS] row of the FFN-down input (GELU output) has its own tensor scale: it carries outlier
  channels (~25 against ~5 for every other token). Without it a short sentence's pooled cosine
  drops to 0.91. ``DOWN_MODE = "int32_rows"`` (default): ``ffn_down`` is ONE GEMM with int32
  output (no bias, no requant on the chip); its A rows are quantized with per-row scales (the
  [CLS] row s_cls, the others s_gelu) and the host, which reads the int32 C anyway to add the
  residual, computes down[i, j] = C[i, j] * s_row[i] * s_w[j] + b2[j]. ``"cls_split"`` (the
  earlier way, kept for comparison): two GEMMs, M = 1 and M = S - 1, each requantized to int8,
  the M = 1 one re-reading all of W2;
* int8 outputs use the chip's requantization: per-column multipliers M0[j] (int32 > 0) and one
  shift, M0[j] / 2**shift ~= s_a * s_w[j] / s_out[j]; bias int32 at scale s_a * s_w[j]. Outputs
  that go to the host (o, ffn_up, ffn_down) get per-column output scales s_out[j] (the chip's
  per-channel scale), since the FFN-down output has columns at ~190 against ~3 for the rest;
  q, k, v and the scores, which are operands of later GEMMs, get one scale per tensor;
* attention: scores = Q_h . K_h^T (1/sqrt(d) folded into M0), softmax in float on the host,
  probabilities as int8 in [0, 127] (scale 1/127), context_h = P_h . V_h.

LayerNorm, softmax, GELU and the residual adds run in float on the host between GEMMs. One layer
is 30 GEMM jobs in 6 dependency stages (``STAGES``): q k v | 12 x score.hH | 12 x pv.hH | o | ffn_up
| ffn_down. ``layer_stages`` is the layer as a generator of stages: it yields each stage's jobs and
receives their results, so the host work between stages runs on whatever the executor (the RTL
chip in tb/flows/minilm_staged.py) returned. ``run_layer`` drives it and hands each job to an
``executor`` (default ``golden_executor``, i.e. ``models.chip.golden.gemm``).
``layer_case`` / ``layer_gemm_jobs`` record the jobs of one layer (operands and golden results
included) and ``replay_executor`` feeds recorded results back through ``run_layer``. Whole-model runs use
``fast_executor`` (same bits, float64 BLAS accumulation; tests/test_minilm.py checks equality).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from models.chip.golden import INT32_MAX, INT32_MIN, SHIFT_MAX, Requant, gemm, output_stage
from models.demo.encoder_float import MASK_LOGIT, embed, gelu, layer_forward, layer_norm, pool, softmax
from models.demo.minilm import RTL_SEQ_LEN, LayerWeights, MiniLM, MiniLMError, encode

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
QMAX = 127  # symmetric int8 range [-127, 127]
PROB_SCALE = 1.0 / QMAX  # softmax probabilities as int8 in [0, 127]
DOWN_MODES = ("int32_rows", "cls_split")  # how the ffn_down input's [CLS] row keeps its scale
DOWN_MODE = "int32_rows"  # the default (see module doc)
TENSOR_NAMES = ("x", "q", "k", "v", "score", "ctx", "a", "gelu", "gelu_cls")  # one scale each
COLUMN_NAMES = ("attn", "up", "down")  # "down": only with "cls_split"  # one scale per column


class GemmJob(NamedTuple):
    """One chip GEMM: out = requant(A[M, K] . B[K, N] + bias) exactly as ``golden.gemm``."""

    name: str
    a: NDArray[np.int8]  # [M, K]
    b: NDArray[np.int8]  # [K, N]
    bias: NDArray[np.int32] | None  # [N]
    q: Requant  # scale (int, or int64 [N]), shift, relu, out_int8

    @property
    def scale(self) -> NDArray[np.int32]:
        """The multiplier of every output column, int32 [N] (all > 0)."""
        return np.broadcast_to(np.asarray(self.q.scale, dtype=np.int32), (self.b.shape[1],)).copy()

    @property
    def per_channel(self) -> bool:
        """True when the columns have different multipliers (FLAGS.per_channel_scale)."""
        return np.ndim(self.q.scale) > 0

    @property
    def mnk(self) -> tuple[int, int, int]:
        return self.a.shape[0], self.b.shape[1], self.a.shape[1]


Executor = Callable[[GemmJob], IntArray]


def golden_executor(job: GemmJob) -> IntArray:
    """Run a job on the bit-exact golden model (``models.chip.golden.gemm``)."""
    return gemm(job.a, job.b, job.bias, job.q)


def fast_executor(job: GemmJob) -> IntArray:
    """``golden_executor``'s result, ~20x faster: the int8 dot products are summed by float64 BLAS,
    which is exact while K * 128 * 128 < 2**53, then ``golden.output_stage`` does the rest."""
    if job.a.shape[1] * 128 * 128 >= 2**53:
        return golden_executor(job)
    acc = np.asarray(job.a, dtype=np.float64) @ np.asarray(job.b, dtype=np.float64)
    return output_stage(acc.astype(np.int64), job.bias, job.q)


def replay_executor(results: Mapping[str, NDArray[np.integer]]) -> Executor:
    """An executor that returns already computed results by job name (e.g. one RTL chain run)."""

    def run(job: GemmJob) -> IntArray:
        if job.name not in results:
            raise KeyError(f"no result for GEMM job {job.name!r}")
        return np.asarray(results[job.name], dtype=np.int64)

    return run


def quantize(x: FloatArray, scale: float | FloatArray) -> NDArray[np.int8]:
    """Symmetric int8: round(x / scale) clamped to [-127, 127]."""
    return np.clip(np.rint(x / scale), -QMAX, QMAX).astype(np.int8)


def requant_for(real: FloatArray | float, relu: bool = False) -> Requant:
    """Integer multipliers M0[j] and one shift with M0[j] / 2**shift ~= real[j] (all > 0).

    The shift is the largest that keeps every M0 within int32, so the smallest real multiplier
    still gets as many significant bits as the spread of the column scales allows.
    """
    r = np.atleast_1d(np.asarray(real, dtype=np.float64))
    if not np.all(r > 0):
        raise ValueError("requantization multipliers must be positive")
    shift = int(np.clip(math.floor(math.log2(INT32_MAX / float(r.max()))), 0, SHIFT_MAX))
    while shift > 0 and np.rint(r.max() * 2.0**shift) > INT32_MAX:
        shift -= 1
    m0 = np.clip(np.rint(r * 2.0**shift), 1, INT32_MAX).astype(np.int64)
    return Requant(scale=m0 if m0.size > 1 else int(m0[0]), shift=shift, relu=relu, out_int8=True)


def quantize_bias(b: FloatArray, acc_scale: FloatArray) -> NDArray[np.int32]:
    """Bias as int32 at the accumulator scale s_a * s_w[j]."""
    return np.clip(np.rint(b / acc_scale), INT32_MIN, INT32_MAX).astype(np.int32)


@dataclass(frozen=True)
class QLinear:
    """A weight matrix [K, N] as int8 with per-column scales, plus its float bias."""

    w: NDArray[np.int8]
    s_w: FloatArray
    bias: FloatArray

    @classmethod
    def from_float(cls, w: FloatArray, b: FloatArray) -> QLinear:
        s_w = np.maximum(np.abs(w).max(axis=0), 1e-12) / QMAX
        return cls(quantize(w, s_w), s_w, b)

    def job(self, name: str, aq: NDArray[np.int8], s_a: float, s_out: float | FloatArray) -> GemmJob:
        acc = s_a * self.s_w
        return GemmJob(name, aq, self.w, quantize_bias(self.bias, acc), requant_for(acc / s_out))

    def acc_job(self, name: str, aq: NDArray[np.int8]) -> GemmJob:
        """The bare int32 accumulator A . W (no bias, no requant): the host scales it."""
        return GemmJob(name, aq, self.w, None, Requant(scale=1, shift=0, relu=False, out_int8=False))


@dataclass(frozen=True)
class QuantLayer:
    """One encoder layer ready for the chip: int8 weights and calibrated activation scales."""

    q: QLinear
    k: QLinear
    v: QLinear
    o: QLinear
    up: QLinear
    down: QLinear
    lw: LayerWeights  # float LayerNorm parameters (host side)
    scales: dict[str, float]  # per-tensor scale of each name in TENSOR_NAMES
    smooth: dict[str, FloatArray]  # per-channel divisor of each name in SMOOTHED (host side)
    col_scales: dict[str, FloatArray]  # per-column output scale of each name in COLUMN_NAMES
    heads: int
    eps: float
    down_mode: str = DOWN_MODE  # one of DOWN_MODES


@dataclass(frozen=True)
class QuantModel:
    model: MiniLM
    layers: tuple[QuantLayer, ...]


def _check(job: GemmJob, out: IntArray) -> IntArray:
    out = np.asarray(out)
    shape = (job.a.shape[0], job.b.shape[1])
    if out.shape != shape:
        raise ValueError(f"executor returned {out.shape} for job {job.name}, expected {shape}")
    return out.astype(np.int64)


STAGES = ("qkv", "score", "pv", "o", "ffn_up", "ffn_down")  # one descriptor chain each
# What one stage hands to the chip and gets back: its name and jobs, then each job's C.
LayerStages = Generator[tuple[str, list[GemmJob]], list[IntArray], FloatArray]


def layer_stages(ql: QuantLayer, x: FloatArray, mask: NDArray[np.bool_]) -> LayerStages:
    """One encoder layer as its dependency stages (``STAGES``): yields ``(stage, jobs)``, receives
    the jobs' results (as the chip wrote them) and computes the next stage's operands from them on
    the host (softmax, LayerNorm, GELU, residuals, quantization); returns the layer output [S, H]."""
    sc, cs = ql.scales, ql.col_scales
    xq = quantize(x / ql.smooth["x"], sc["x"])
    q, k, v = yield (
        "qkv",
        [
            ql.q.job("q", xq, sc["x"], sc["q"]),
            ql.k.job("k", xq, sc["x"], sc["k"]),
            ql.v.job("v", xq, sc["x"], sc["v"]),
        ],
    )
    d = q.shape[1] // ql.heads
    heads = [slice(h * d, (h + 1) * d) for h in range(ql.heads)]
    score_rq = requant_for(sc["q"] * sc["k"] / (math.sqrt(d) * sc["score"]))
    pv_rq = requant_for(PROB_SCALE * sc["v"] / sc["ctx"])
    key_bias = np.where(mask, 0.0, MASK_LOGIT)[None, :]
    scores = yield (
        "score",
        [
            GemmJob(
                f"score.h{h}",
                q[:, c].astype(np.int8),
                np.ascontiguousarray(k[:, c].T).astype(np.int8),
                None,
                score_rq,
            )
            for h, c in enumerate(heads)
        ],
    )
    pv_jobs = []
    for h, (c, s) in enumerate(zip(heads, scores, strict=True)):
        p = softmax(s * sc["score"] + key_bias)
        pq = np.clip(np.rint(p / PROB_SCALE), 0, QMAX).astype(np.int8)
        pv_jobs.append(GemmJob(f"pv.h{h}", pq, np.ascontiguousarray(v[:, c]).astype(np.int8), None, pv_rq))
    ctx = np.hstack((yield "pv", pv_jobs))
    (o,) = yield "o", [ql.o.job("o", ctx.astype(np.int8), sc["ctx"], cs["attn"])]
    a = layer_norm(x + o * cs["attn"], ql.lw.ln1_g, ql.lw.ln1_b, ql.eps)
    (up,) = yield "ffn_up", [ql.up.job("ffn_up", quantize(a / ql.smooth["a"], sc["a"]), sc["a"], cs["up"])]
    g = gelu(up * cs["up"])
    if ql.down_mode == "cls_split":  # the earlier way: two GEMMs, each with its own int8 requant
        cls, rest = yield (
            "ffn_down",
            [
                ql.down.job("ffn_down.cls", quantize(g[:1], sc["gelu_cls"]), sc["gelu_cls"], cs["down"]),
                ql.down.job("ffn_down", quantize(g[1:], sc["gelu"]), sc["gelu"], cs["down"]),
            ],
        )
        down = np.vstack([cls, rest]) * cs["down"]
    else:  # one GEMM, int32 out; the host applies each row's activation scale and the bias
        s_row = np.full((g.shape[0], 1), sc["gelu"])
        s_row[0] = sc["gelu_cls"]
        (acc,) = yield "ffn_down", [ql.down.acc_job("ffn_down", quantize(g, s_row))]
        down = acc * s_row * ql.down.s_w + ql.down.bias
    return layer_norm(a + down, ql.lw.ln2_g, ql.lw.ln2_b, ql.eps)


def drive(
    stages: Generator[tuple[str, list[GemmJob]], list[IntArray], FloatArray], executor: Executor
) -> FloatArray:
    """Run staged work to its end with every job of every stage on ``executor``."""
    try:
        _, jobs = next(stages)
        while True:
            _, jobs = stages.send([_check(j, executor(j)) for j in jobs])
    except StopIteration as stop:
        return stop.value


def run_layer(
    ql: QuantLayer, x: FloatArray, mask: NDArray[np.bool_], executor: Executor = golden_executor
) -> FloatArray:
    """One encoder layer on float hidden states x [S, H]; every GEMM goes through ``executor``."""
    return drive(layer_stages(ql, x, mask), executor)


def layer_gemm_jobs(
    ql: QuantLayer, x: FloatArray, mask: NDArray[np.bool_]
) -> tuple[list[GemmJob], list[IntArray], FloatArray]:
    """The GEMM jobs of one layer in execution order, their golden results (which fed the later
    jobs' operands) and the layer's output [S, H]. Any executor that reproduces the results bit
    for bit reproduces the output: ``run_layer(ql, x, mask, replay_executor(...))``."""
    jobs: list[GemmJob] = []
    outs: list[IntArray] = []

    def record(job: GemmJob) -> IntArray:
        jobs.append(job)
        outs.append(golden_executor(job))
        return outs[-1]

    y = run_layer(ql, x, mask, record)
    return jobs, outs, y


def encode_tokens_int8(
    qm: QuantModel,
    ids: NDArray[np.int64],
    mask: NDArray[np.bool_],
    executor: Executor = fast_executor,
    layers: int | None = None,
) -> FloatArray:
    """Hidden states [S, H] after ``layers`` quantized layers (default: all)."""
    x = embed(qm.model, ids)
    for ql in qm.layers[: len(qm.layers) if layers is None else layers]:
        x = run_layer(ql, x, mask, executor)
    return x


def embed_sentences_int8(
    qm: QuantModel,
    sentences: Sequence[str],
    seq_len: int = RTL_SEQ_LEN,
    executor: Executor = fast_executor,
) -> FloatArray:
    """Unit-length sentence embeddings [n, H], each padded to ``seq_len`` tokens as on the chip."""
    out = np.empty((len(sentences), qm.model.config.hidden))
    for i, s in enumerate(sentences):
        e = encode(qm.model.tokenizer, s, seq_len)
        out[i] = pool(encode_tokens_int8(qm, e.ids, e.mask, executor), e.mask)
    return out


def row_cosines(a: FloatArray, b: FloatArray) -> FloatArray:
    """Cosine similarity of each row of a with the same row of b."""
    return (a * b).sum(axis=1) / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-30)


@dataclass(frozen=True)
class LayerCase:
    """One layer of one sentence, ready for the RTL: jobs, golden results, input and outputs."""

    sentence: str
    layer: int
    mask: NDArray[np.bool_]  # [S] valid tokens
    x: FloatArray  # layer input [S, H] (float hidden states of the previous layers)
    jobs: list[GemmJob]
    golden: list[IntArray]  # golden result of each job
    y_int8: FloatArray  # layer output with chip arithmetic [S, H]
    y_float: FloatArray  # float reference of the same layer on the same input [S, H]


def layer_case(qm: QuantModel, sentence: str, layer: int = 0, seq_len: int = RTL_SEQ_LEN) -> LayerCase:
    """The GEMM jobs of encoder layer ``layer`` for ``sentence`` padded to ``seq_len`` tokens."""
    model = qm.model
    if not 0 <= layer < len(qm.layers):
        raise MiniLMError(f"layer must be in 0..{len(qm.layers) - 1}, got {layer}")
    e = encode(model.tokenizer, sentence, seq_len)
    x = embed(model, e.ids)
    for lw in model.layers[:layer]:
        x = layer_forward(x, lw, e.mask, model.config.heads, model.config.eps)
    jobs, outs, y = layer_gemm_jobs(qm.layers[layer], x, e.mask)
    y_float = layer_forward(x, model.layers[layer], e.mask, model.config.heads, model.config.eps)
    return LayerCase(sentence, layer, e.mask, x, jobs, outs, y, y_float)
