"""Float64 numpy reference of the all-MiniLM-L6-v2 sentence encoder (BERT, post-LayerNorm).

    x = LN(word[ids] + pos[0..S) + type[0])
    per layer:  a = LN(x + MHA(x) @ Wo + bo);  x = LN(a + GELU(a @ W1 + b1) @ W2 + b2)
    sentence = normalize(mean of x over the valid (unmasked) tokens)

MHA: softmax((x Wq + bq)(x Wk + bk)^T / sqrt(d) + mask) (x Wv + bv), per head of d = 32 columns;
padded keys get -inf-like logits (as BertModel's extended attention mask), so padding changes
nothing for the valid tokens. GELU is the exact erf form (``hidden_act: gelu``). The pipeline is
sentence-transformers' modules.json: Transformer, Pooling (mean tokens), Normalize.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from models.demo.minilm import FLOAT_SEQ_LEN, LayerWeights, MiniLM, encode

FloatArray = NDArray[np.float64]
MASK_LOGIT = -1e9

_erf = np.frompyfunc(math.erf, 1, 1)


def gelu(x: FloatArray) -> FloatArray:
    """Exact GELU: x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), with math.erf per element."""
    x = np.asarray(x, dtype=np.float64)
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)).astype(np.float64))


def layer_norm(x: FloatArray, g: FloatArray, b: FloatArray, eps: float) -> FloatArray:
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def softmax(z: FloatArray) -> FloatArray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def embed(model: MiniLM, ids: NDArray[np.int64]) -> FloatArray:
    """Embedding layer output [S, H] (token type 0 everywhere, positions 0..S-1)."""
    s = len(ids)
    x = model.word_emb[ids] + model.pos_emb[:s] + model.type_emb[0]
    return layer_norm(x, model.emb_ln_g, model.emb_ln_b, model.config.eps)


def attention(x: FloatArray, lw: LayerWeights, mask: NDArray[np.bool_], heads: int) -> FloatArray:
    """Multi-head self-attention context [S, H] before the output projection."""
    q, k, v = x @ lw.wq + lw.bq, x @ lw.wk + lw.bk, x @ lw.wv + lw.bv
    d = q.shape[1] // heads
    out = np.empty_like(q)
    bias = np.where(mask, 0.0, MASK_LOGIT)[None, :]
    for h in range(heads):
        c = slice(h * d, (h + 1) * d)
        p = softmax(q[:, c] @ k[:, c].T / math.sqrt(d) + bias)
        out[:, c] = p @ v[:, c]
    return out


def layer_forward(
    x: FloatArray,
    lw: LayerWeights,
    mask: NDArray[np.bool_],
    heads: int,
    eps: float,
    trace: dict[str, FloatArray] | None = None,
) -> FloatArray:
    """One encoder layer. ``trace`` (if given) receives the intermediate tensors by name."""
    ctx = attention(x, lw, mask, heads)
    attn = ctx @ lw.wo + lw.bo
    a = layer_norm(x + attn, lw.ln1_g, lw.ln1_b, eps)
    up = a @ lw.w1 + lw.b1
    g = gelu(up)
    down = g @ lw.w2 + lw.b2
    y = layer_norm(a + down, lw.ln2_g, lw.ln2_b, eps)
    if trace is not None:
        trace.update(x=x, ctx=ctx, attn=attn, a=a, up=up, gelu=g, down=down, y=y)
    return y


def encode_tokens(
    model: MiniLM, ids: NDArray[np.int64], mask: NDArray[np.bool_], layers: int | None = None
) -> FloatArray:
    """Hidden states [S, H] after ``layers`` encoder layers (default: all)."""
    cfg = model.config
    x = embed(model, ids)
    for lw in model.layers[: cfg.layers if layers is None else layers]:
        x = layer_forward(x, lw, mask, cfg.heads, cfg.eps)
    return x


def pool(hidden: FloatArray, mask: NDArray[np.bool_]) -> FloatArray:
    """Mean over the valid tokens, then L2-normalized (Pooling + Normalize modules)."""
    m = hidden[mask].mean(axis=0)
    return m / max(float(np.linalg.norm(m)), 1e-12)


def embed_sentences(model: MiniLM, sentences: Sequence[str], seq_len: int = FLOAT_SEQ_LEN) -> FloatArray:
    """Unit-length sentence embeddings [n, H]; rows' dot products are cosine similarities."""
    out = np.empty((len(sentences), model.config.hidden))
    for i, s in enumerate(sentences):
        e = encode(model.tokenizer, s, seq_len, pad=False)
        out[i] = pool(encode_tokens(model, e.ids, e.mask), e.mask)
    return out
