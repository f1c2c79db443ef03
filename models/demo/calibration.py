"""Calibration of the INT8 MiniLM (``models.demo.encoder_int8``): the activation ranges of the
float model over fixed sentences, the SmoothQuant factors of the LayerNorm outputs, and the
quantized layers built from them (the scheme is in encoder_int8's module doc)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from models.demo.encoder_float import embed, layer_forward
from models.demo.encoder_int8 import (
    COLUMN_NAMES,
    DOWN_MODE,
    DOWN_MODES,
    QMAX,
    TENSOR_NAMES,
    FloatArray,
    QLinear,
    QuantLayer,
    QuantModel,
)
from models.demo.int4_weights import column_scales, gptq_codes
from models.demo.minilm import (
    CALIBRATION_SENTENCES,
    DEMO_SENTENCES,
    INT4_EXTRA_CALIBRATION,
    RTL_SEQ_LEN,
    MiniLM,
    MiniLMError,
    default_model,
    encode,
)

SMOOTH_ALPHA = 0.5  # SmoothQuant migration strength for the inputs named in SMOOTHED
SMOOTHED = ("x", "a")  # GEMM inputs smoothed per channel (LayerNorm outputs)
COLUMN_HEADROOM = 1.5  # per-column ranges come from few tokens: x1.5 keeps unseen sentences unclipped
WEIGHT_FORMATS = ("int8", "int4")  # int4: per-column clipped scales and GPTQ rounding (int4_weights.py)
LINEAR_INPUTS = ("x", "ctx", "a", "gelu")  # the float inputs of q/k/v, o, ffn_up, ffn_down


def activation_ranges(
    model: MiniLM, sentences: Sequence[str], seq_len: int, inputs: list[dict[str, FloatArray]] | None = None
) -> list[dict[str, float | FloatArray]]:
    """Per layer: absmax of each TENSOR_NAMES tensor and per-column absmax of each COLUMN_NAMES
    tensor and of each SMOOTHED input (as NAME_ch) of the float model, over the sentences padded to
    ``seq_len`` (the rows the chip sees). ``inputs``, when given, receives per layer the float
    inputs of its linear layers (x, ctx, a, gelu: every row of every sentence), for GPTQ."""
    cfg = model.config
    d = cfg.head_dim
    ranges: list[dict[str, float | FloatArray]] = [{} for _ in model.layers]
    for s in sentences:
        e = encode(model.tokenizer, s, seq_len)
        x = embed(model, e.ids)
        for i, lw in enumerate(model.layers):
            t: dict[str, FloatArray] = {}
            x = layer_forward(x, lw, e.mask, cfg.heads, cfg.eps, trace=t)
            t["q"], t["k"], t["v"] = (
                t["x"] @ w + b for w, b in ((lw.wq, lw.bq), (lw.wk, lw.bk), (lw.wv, lw.bv))
            )
            heads = range(cfg.heads)
            t["score"] = np.stack(
                [t["q"][:, h * d : (h + 1) * d] @ t["k"][:, h * d : (h + 1) * d].T for h in heads]
            )
            t["score"] /= math.sqrt(d)
            t["gelu_cls"], t["gelu"] = t["gelu"][:1], t["gelu"][1:]
            if inputs is not None:
                if len(inputs) <= i:
                    inputs.append({})
                for name in LINEAR_INPUTS:
                    inputs[i][name] = np.vstack([inputs[i][name], t[name]]) if name in inputs[i] else t[name]
            r = ranges[i]
            for name in TENSOR_NAMES:
                r[name] = max(float(r.get(name, 0.0)), float(np.abs(t[name]).max()))
            for name in COLUMN_NAMES + SMOOTHED:
                key = name + "_ch" if name in SMOOTHED else name
                r[key] = np.maximum(r.get(key, 0.0), np.abs(t[name]).max(axis=0))
    return ranges


def smooth_factors(act_max: FloatArray, w: FloatArray) -> FloatArray:
    """SmoothQuant divisors f[c] = max|act_c|**alpha / max|W[c, :]|**(1 - alpha), kept positive."""
    w_max = np.maximum(np.abs(w).max(axis=1), 1e-8)
    return np.maximum(np.maximum(act_max, 1e-6) ** SMOOTH_ALPHA / w_max ** (1 - SMOOTH_ALPHA), 1e-6)


def quantized_linear(w: FloatArray, b: FloatArray, x: FloatArray | None) -> QLinear:
    """Without calibration inputs ``x``: W as int8 with per-column absmax scales. With them: W
    as int4 codes (held in int8) with per-column clipped scales, rounded by GPTQ on ``x``, the
    layer's float inputs (``models.demo.int4_weights``)."""
    if x is None:
        return QLinear.from_float(w, b)
    s = column_scales(w)
    return QLinear(gptq_codes(w, x, s), s, b)


def calibrate(
    model: MiniLM,
    sentences: Sequence[str],
    seq_len: int = RTL_SEQ_LEN,
    down_mode: str = DOWN_MODE,
    weights: str = "int8",
) -> QuantModel:
    """Quantize the weights (``weights``: one of WEIGHT_FORMATS) and pick the activation scales
    from ``sentences``."""
    if not sentences:
        raise MiniLMError("calibration needs at least one sentence")
    if down_mode not in DOWN_MODES:
        raise MiniLMError(f"down_mode must be one of {DOWN_MODES}, got {down_mode!r}")
    if weights not in WEIGHT_FORMATS:
        raise MiniLMError(f"weights must be one of {', '.join(WEIGHT_FORMATS)}, got {weights!r}")
    inputs: list[dict[str, FloatArray]] | None = [] if weights == "int4" else None
    layers = []
    for i, (lw, r) in enumerate(
        zip(model.layers, activation_ranges(model, sentences, seq_len, inputs), strict=True)
    ):
        w_in = {"x": np.hstack([lw.wq, lw.wk, lw.wv]), "a": lw.w1}
        smooth = {n: smooth_factors(np.asarray(r[n + "_ch"]), w_in[n]) for n in SMOOTHED}
        scales = {n: max(float(r[n]), 1e-6) / QMAX for n in TENSOR_NAMES}
        scales.update({n: float((np.asarray(r[n + "_ch"]) / smooth[n]).max()) / QMAX for n in SMOOTHED})
        sx, sa = smooth["x"][:, None], smooth["a"][:, None]
        xin: dict[str, FloatArray | None] = dict.fromkeys(LINEAR_INPUTS)
        if inputs is not None:  # the smoothed inputs go with the smoothed weights (same product)
            xin.update(inputs[i], x=inputs[i]["x"] / smooth["x"], a=inputs[i]["a"] / smooth["a"])
        layers.append(
            QuantLayer(
                q=quantized_linear(lw.wq * sx, lw.bq, xin["x"]),
                k=quantized_linear(lw.wk * sx, lw.bk, xin["x"]),
                v=quantized_linear(lw.wv * sx, lw.bv, xin["x"]),
                o=quantized_linear(lw.wo, lw.bo, xin["ctx"]),
                up=quantized_linear(lw.w1 * sa, lw.b1, xin["a"]),
                down=quantized_linear(lw.w2, lw.b2, xin["gelu"]),
                lw=lw,
                scales=scales,
                smooth=smooth,
                col_scales={
                    n: COLUMN_HEADROOM * np.maximum(np.asarray(r[n]), 1e-6) / QMAX for n in COLUMN_NAMES
                },
                heads=model.config.heads,
                eps=model.config.eps,
                down_mode=down_mode,
            )
        )
    return QuantModel(model, tuple(layers))


@lru_cache(maxsize=4)
def default_quant_model(down_mode: str = DOWN_MODE, weights: str = "int8") -> QuantModel:
    """The installed model calibrated on the fixed sentences (with int4 weights also on
    INT4_EXTRA_CALIBRATION), once per process and setting."""
    sentences = CALIBRATION_SENTENCES + DEMO_SENTENCES + (INT4_EXTRA_CALIBRATION if weights == "int4" else ())
    return calibrate(default_model(), sentences, down_mode=down_mode, weights=weights)
