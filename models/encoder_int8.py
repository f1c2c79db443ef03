"""all-MiniLM-L6-v2 with every GEMM in the chip's INT8 arithmetic (``models.golden``).

Quantization (symmetric, zero point 0):

* weights: int8 per output column j, s_w[j] = max|W[:, j]| / 127;
* activations entering a GEMM: int8 per tensor, s = absmax / 127, calibrated on the float model
  (``calibrate``) over a fixed set of sentences;
* each GEMM's int8 output is the chip's requantization: per-column multipliers M0[j] (int32) and
  one shift with M0[j] / 2**shift ~= s_a * s_w[j] / s_out, bias as int32 at scale s_a * s_w[j];
* attention: scores = Q_h . K_h^T (the 1/sqrt(d) folded into M0), softmax in float on the host,
  probabilities as int8 in [0, 127] with scale 1/127, then context_h = P_h . V_h.

LayerNorm, softmax, GELU and the residual adds run in float on the host between GEMMs. A layer is
30 GEMM jobs: q, k, v, 12 x (score, pv), o, ffn_up, ffn_down. ``run_layer`` hands each job to an
``executor`` (default ``golden_executor``), so running the chip instead is one argument;
``layer_gemm_jobs`` records the jobs (operands included) of one layer for replay on the RTL.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from models.encoder_float import MASK_LOGIT, embed, gelu, layer_forward, layer_norm, pool, softmax
from models.golden import INT32_MAX, INT32_MIN, SHIFT_MAX, Requant, gemm
from models.minilm import RTL_SEQ_LEN, LayerWeights, MiniLM, encode

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
QMAX = 127  # symmetric int8 range [-127, 127]
PROB_SCALE = 1.0 / QMAX  # softmax probabilities as int8 in [0, 127]
ACT_NAMES = ("x", "q", "k", "v", "score", "ctx", "attn", "a", "up", "gelu", "down")


class GemmJob(NamedTuple):
    """One chip GEMM: out = requant(A[M, K] . B[K, N] + bias) as in ``golden.gemm``."""

    name: str
    a: NDArray[np.int8]
    b: NDArray[np.int8]
    bias: NDArray[np.int32] | None
    q: Requant


Executor = Callable[[GemmJob], IntArray]


def golden_executor(job: GemmJob) -> IntArray:
    """Run a job on the bit-exact golden model."""
    return gemm(job.a, job.b, job.bias, job.q)


def quantize(x: FloatArray, scale: float) -> NDArray[np.int8]:
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

    def job(self, name: str, aq: NDArray[np.int8], s_a: float, s_out: float) -> GemmJob:
        acc = s_a * self.s_w
        return GemmJob(name, aq, self.w, quantize_bias(self.bias, acc), requant_for(acc / s_out))


@dataclass(frozen=True)
class QuantLayer:
    """One encoder layer ready for the chip: int8 weights and per-tensor activation scales."""

    q: QLinear
    k: QLinear
    v: QLinear
    o: QLinear
    up: QLinear
    down: QLinear
    lw: LayerWeights  # float LayerNorm parameters (host side)
    scales: dict[str, float]  # per-tensor scale of each name in ACT_NAMES
    heads: int
    eps: float


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


def run_layer(
    ql: QuantLayer, x: FloatArray, mask: NDArray[np.bool_], executor: Executor = golden_executor
) -> FloatArray:
    """One encoder layer on float hidden states x [S, H]; every GEMM goes through ``executor``."""
    sc = ql.scales

    def run(job: GemmJob) -> IntArray:
        return _check(job, executor(job))

    xq = quantize(x, sc["x"])
    q = run(ql.q.job("q", xq, sc["x"], sc["q"]))
    k = run(ql.k.job("k", xq, sc["x"], sc["k"]))
    v = run(ql.v.job("v", xq, sc["x"], sc["v"]))
    d = q.shape[1] // ql.heads
    score_rq = requant_for(sc["q"] * sc["k"] / (math.sqrt(d) * sc["score"]))
    pv_rq = requant_for(PROB_SCALE * sc["v"] / sc["ctx"])
    key_bias = np.where(mask, 0.0, MASK_LOGIT)[None, :]
    ctx = np.empty_like(q)
    for h in range(ql.heads):
        c = slice(h * d, (h + 1) * d)
        qh, kt = q[:, c].astype(np.int8), np.ascontiguousarray(k[:, c].T).astype(np.int8)
        s = run(GemmJob(f"score.h{h}", qh, kt, None, score_rq))
        p = softmax(s * sc["score"] + key_bias)
        pq = np.clip(np.rint(p / PROB_SCALE), 0, QMAX).astype(np.int8)
        ctx[:, c] = run(GemmJob(f"pv.h{h}", pq, v[:, c].astype(np.int8), None, pv_rq))
    attn = run(ql.o.job("o", ctx.astype(np.int8), sc["ctx"], sc["attn"]))
    a = layer_norm(x + attn * sc["attn"], ql.lw.ln1_g, ql.lw.ln1_b, ql.eps)
    up = run(ql.up.job("ffn_up", quantize(a, sc["a"]), sc["a"], sc["up"]))
    g = gelu(up * sc["up"])
    down = run(ql.down.job("ffn_down", quantize(g, sc["gelu"]), sc["gelu"], sc["down"]))
    return layer_norm(a + down * sc["down"], ql.lw.ln2_g, ql.lw.ln2_b, ql.eps)


def layer_gemm_jobs(
    ql: QuantLayer, x: FloatArray, mask: NDArray[np.bool_]
) -> tuple[list[GemmJob], FloatArray]:
    """The 30 GEMM jobs of one layer in execution order (golden results feed later jobs),
    and the layer's float output."""
    jobs: list[GemmJob] = []

    def record(job: GemmJob) -> IntArray:
        jobs.append(job)
        return golden_executor(job)

    y = run_layer(ql, x, mask, record)
    return jobs, y


def activation_ranges(model: MiniLM, sentences: Sequence[str], seq_len: int) -> list[dict[str, float]]:
    """Absolute maxima of every GEMM input/output tensor per layer, float model, valid tokens."""
    cfg = model.config
    d = cfg.head_dim
    ranges = [dict.fromkeys(ACT_NAMES, 0.0) for _ in model.layers]
    for s in sentences:
        e = encode(model.tokenizer, s, seq_len, pad=False)
        x = embed(model, e.ids)
        for i, lw in enumerate(model.layers):
            t: dict[str, FloatArray] = {}
            x = layer_forward(x, lw, e.mask, cfg.heads, cfg.eps, trace=t)
            t["q"], t["k"], t["v"] = (t["x"] @ w + b for w, b in ((lw.wq, lw.bq), (lw.wk, lw.bk), (lw.wv, lw.bv)))
            t["score"] = np.stack(
                [t["q"][:, h * d : (h + 1) * d] @ t["k"][:, h * d : (h + 1) * d].T for h in range(cfg.heads)]
            ) / math.sqrt(d)
            for name in ACT_NAMES:
                ranges[i][name] = max(ranges[i][name], float(np.abs(t[name]).max()))
    return ranges


def calibrate(model: MiniLM, sentences: Sequence[str], seq_len: int = RTL_SEQ_LEN) -> QuantModel:
    """Quantize the weights and pick per-tensor activation scales from ``sentences``."""
    layers = []
    for lw, r in zip(model.layers, activation_ranges(model, sentences, seq_len), strict=True):
        scales = {n: max(v, 1e-6) / QMAX for n, v in r.items()}
        layers.append(
            QuantLayer(
                q=QLinear.from_float(lw.wq, lw.bq),
                k=QLinear.from_float(lw.wk, lw.bk),
                v=QLinear.from_float(lw.wv, lw.bv),
                o=QLinear.from_float(lw.wo, lw.bo),
                up=QLinear.from_float(lw.w1, lw.b1),
                down=QLinear.from_float(lw.w2, lw.b2),
                lw=lw,
                scales=scales,
                heads=model.config.heads,
                eps=model.config.eps,
            )
        )
    return QuantModel(model, tuple(layers))


def encode_tokens_int8(
    qm: QuantModel,
    ids: NDArray[np.int64],
    mask: NDArray[np.bool_],
    executor: Executor = golden_executor,
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
    executor: Executor = golden_executor,
) -> FloatArray:
    """Unit-length sentence embeddings [n, H], each padded to ``seq_len`` tokens as on the chip."""
    out = np.empty((len(sentences), qm.model.config.hidden))
    for i, s in enumerate(sentences):
        e = encode(qm.model.tokenizer, s, seq_len)
        out[i] = pool(encode_tokens_int8(qm, e.ids, e.mask, executor), e.mask)
    return out
