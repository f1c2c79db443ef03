"""INT4 weights for the MiniLM encoder, one scale per output column (issue 14, the quality study).

A weight matrix W [K, N] (``x @ W``) becomes integer codes q[k, n] in [-8, 7] and one float scale
s[n] per output column, W ~= q * s: the per-channel multiplier the chip's requant stage already
has carries s (``QLinear.job``: the accumulator scale is s_a * s[n]), and the codes are the same
int8 x int8 -> int32 arithmetic in the golden model (an int4 code is an int8 value in [-8, 7]).
How the chip would move packed codes over the bus is not settled here (the datapath is the other
part of issue 14); this module only answers "how good are per-channel int4 weights".

Two documented choices, each measured in docs/demo.md:

* ``column_scales``: the scale of column n is amax[n] * r / 7, with r in 0.50 .. 1.00 (26 steps)
  chosen per column to minimise the squared rounding error sum_k (W[k, n] - q[k, n] s[n])^2
  (clipping the few largest weights buys finer steps for the rest);
* ``gptq_codes``: GPTQ rounding (Frantar et al., 2022, "GPTQ: Accurate Post-Training
  Quantization for Generative Pre-trained Transformers"): the rows k are rounded one at a time
  and each rounding error is spread over the rows not yet rounded, weighted by the inverse of
  the Hessian H = X^T X of the layer's calibration inputs X [T, K], so that X W (the layer's
  output on those inputs) moves as little as possible. With U the upper Cholesky factor of
  (H + damp mean(diag H) I)^-1:  q_k = clamp(round(W_k / s)),  e = (W_k - q_k s) / U[k, k],
  W_j -= U[k, j] e for j > k.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

INT4_MIN, INT4_MAX = -8, 7
CLIP_RATIOS = np.linspace(0.5, 1.0, 26)  # searched per column by column_scales
GPTQ_DAMP = 0.1  # fraction of mean(diag H) added to H's diagonal: 0.01 fits the calibration
# sentences closer (demo min cosine 0.985) but held-out short sentences fall to 0.81 (docs/demo.md)

FloatArray = NDArray[np.float64]


def round_codes(w: FloatArray, s: FloatArray) -> NDArray[np.int8]:
    """Round to nearest: clamp(round(w / s), -8, 7) per column scale ``s``."""
    return np.clip(np.rint(w / s), INT4_MIN, INT4_MAX).astype(np.int8)


def column_scales(w: FloatArray) -> FloatArray:
    """Per output column, the clipped scale amax * r / 7 (r in CLIP_RATIOS) of least squared
    rounding error."""
    amax = np.maximum(np.abs(w).max(axis=0), 1e-12)
    best_s, best_err = amax / INT4_MAX, np.full(w.shape[1], np.inf)
    for r in CLIP_RATIOS:
        s = amax * r / INT4_MAX
        err = ((round_codes(w, s) * s - w) ** 2).sum(axis=0)
        better = err < best_err
        best_s, best_err = np.where(better, s, best_s), np.where(better, err, best_err)
    return best_s


def gptq_codes(w: FloatArray, x: FloatArray, s: FloatArray, damp: float = GPTQ_DAMP) -> NDArray[np.int8]:
    """GPTQ rounding of W [K, N] to int4 codes at scales ``s`` [N], for calibration inputs
    ``x`` [T, K] (see the module doc)."""
    k_dim = w.shape[0]
    if x.ndim != 2 or x.shape[1] != k_dim:
        raise ValueError(f"calibration inputs of shape {x.shape} do not feed a weight of shape {w.shape}")
    h = x.T @ x
    h += damp * max(float(np.mean(np.diag(h))), 1e-12) * np.eye(k_dim)
    u = np.linalg.cholesky(np.linalg.inv(h)).T  # upper: (H^-1) = U^T U
    rest = np.array(w, dtype=np.float64)
    codes = np.empty(w.shape, dtype=np.int8)
    for k in range(k_dim):
        codes[k] = round_codes(rest[k], s)
        err = (rest[k] - codes[k] * s) / u[k, k]
        rest[k + 1 :] -= np.outer(u[k, k + 1 :], err)
    return codes


def output_error(w: FloatArray, x: FloatArray, codes: NDArray[np.int8], s: FloatArray) -> float:
    """|| x W - x (codes * s) ||_F / || x W ||_F: how far the layer's output moves."""
    ref = x @ w
    return float(np.linalg.norm(ref - x @ (codes * s)) / max(float(np.linalg.norm(ref)), 1e-300))
