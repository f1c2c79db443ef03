"""Bit-exact numpy golden model of the CompactScaleAiChip arithmetic.

This module states the maths the chip implements; it does not follow the RTL's structure.

    acc[m, n]  = wrap32( sum_k A[m, k] * B[k, n] )                 A, B signed int8
    pre[m, n]  = wrap32( acc[m, n] + bias[n] )                      bias int32, optional
    int32 out  = relu?( pre )
    int8 out   = relu?( sat8( round_shift( pre * scale[n], shift ) ) )

* ``wrap32`` is two's-complement wrap-around modulo 2**32 (the accumulator and the bias adder
  are 32 bits wide and do not saturate). With int8 operands one product is at most 2**14 in
  magnitude, so a dot product can only wrap when K > 131072.
* ``pre * scale`` is exact: a 32 x 32 -> 64 bit signed product.
* ``round_shift(x, s)`` = floor((x + 2**(s-1)) / 2**s) for s > 0 and x for s == 0:
  round half towards +infinity ("round half up"), as an add-then-arithmetic-shift does.
* ``sat8`` clamps to [-128, 127]; ``relu`` is max(x, 0), applied last.
* ``scale`` may be one value (per tensor) or one value per output column n (per channel).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

INT8_MIN, INT8_MAX = -128, 127
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
SHIFT_MAX = 63


@dataclass(frozen=True)
class Requant:
    """Output-stage settings of one GEMM (the chip's descriptor fields of the same names)."""

    scale: int | NDArray[np.int64] = 1
    shift: int = 0
    relu: bool = False
    out_int8: bool = True


def wrap32(x: ArrayLike) -> NDArray[np.int64]:
    """Two's-complement wrap of integers to the signed 32-bit range (returned as int64)."""
    v = np.asarray(x, dtype=np.int64)
    return ((v + 2**31) % 2**32) - 2**31


def _check_int_range(name: str, x: ArrayLike, lo: int, hi: int) -> NDArray[np.int64]:
    v = np.asarray(x)
    if v.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer array, got dtype {v.dtype}")
    v = v.astype(np.int64)
    if v.size and (v.min() < lo or v.max() > hi):
        raise ValueError(f"{name} has values outside [{lo}, {hi}]")
    return v


def matmul_int8(a: ArrayLike, b: ArrayLike) -> NDArray[np.int64]:
    """C = A . B for int8 A[M, K], B[K, N], accumulated exactly then wrapped to int32."""
    a64 = _check_int_range("A", a, INT8_MIN, INT8_MAX)
    b64 = _check_int_range("B", b, INT8_MIN, INT8_MAX)
    if a64.ndim != 2 or b64.ndim != 2 or a64.shape[1] != b64.shape[0]:
        raise ValueError(f"shapes do not chain: A{a64.shape} . B{b64.shape}")
    # int64 accumulation is exact for any K below 2**49, so wrapping once at the end equals
    # wrapping after every step (modular arithmetic).
    return wrap32(a64 @ b64)


def round_shift(x: ArrayLike, shift: int) -> NDArray[np.int64]:
    """floor((x + 2**(shift-1)) / 2**shift): round half towards +infinity; identity at 0."""
    if not 0 <= shift <= SHIFT_MAX:
        raise ValueError(f"shift must be in [0, {SHIFT_MAX}], got {shift}")
    v = np.asarray(x, dtype=object)  # Python ints: the 64-bit product plus rounding is exact
    if shift == 0:
        return np.asarray(v, dtype=np.int64)
    out = (v + (1 << (shift - 1))) >> shift
    return np.asarray(out, dtype=object)


def saturate_int8(x: ArrayLike) -> NDArray[np.int64]:
    """Clamp to [-128, 127]."""
    return np.asarray(np.clip(np.asarray(x, dtype=object), INT8_MIN, INT8_MAX), dtype=np.int64)


def output_stage(
    acc: ArrayLike,
    bias: ArrayLike | None = None,
    q: Requant = Requant(),
) -> NDArray[np.int64]:
    """Bias, requantization, saturation and ReLU applied to an int32 accumulator tile [M, N]."""
    pre = wrap32(acc)
    n_cols = pre.shape[-1]
    if bias is not None:
        pre = wrap32(pre + _check_int_range("bias", bias, INT32_MIN, INT32_MAX))
    if not q.out_int8:
        out = pre
    else:
        scale = _check_int_range("scale", np.broadcast_to(q.scale, (n_cols,)), INT32_MIN, INT32_MAX)
        prod = pre.astype(object) * scale.astype(object)  # exact 64-bit signed product
        out = saturate_int8(round_shift(prod, q.shift))
    if q.relu:
        out = np.maximum(out, 0)
    return np.asarray(out, dtype=np.int64)


def gemm(
    a: ArrayLike,
    b: ArrayLike,
    bias: ArrayLike | None = None,
    q: Requant = Requant(),
) -> NDArray[np.int64]:
    """One whole GEMM as the chip computes it: matmul, then the output stage."""
    return output_stage(matmul_int8(a, b), bias, q)


def tiled_gemm(
    a: ArrayLike,
    b: ArrayLike,
    tile: int,
    bias: ArrayLike | None = None,
    q: Requant = Requant(),
) -> NDArray[np.int64]:
    """The same GEMM assembled from zero-padded tile x tile output blocks.

    Each output block is the sum over K-chunks of tile-sized products; it must equal ``gemm``
    exactly (padding with zeros adds nothing, and wrap-around addition is associative).
    """
    a64 = _check_int_range("A", a, INT8_MIN, INT8_MAX)
    b64 = _check_int_range("B", b, INT8_MIN, INT8_MAX)
    m, k = a64.shape
    k2, n = b64.shape
    if k != k2:
        raise ValueError(f"shapes do not chain: A{a64.shape} . B{b64.shape}")
    if tile < 1:
        raise ValueError("tile must be >= 1")

    def pad(x: NDArray[np.int64], rows: int, cols: int) -> NDArray[np.int64]:
        return np.pad(x, ((0, rows - x.shape[0]), (0, cols - x.shape[1])))

    mp, np_, kp = (-(-d // tile) * tile for d in (m, n, k))
    ap, bp = pad(a64, mp, kp), pad(b64, kp, np_)
    acc = np.zeros((mp, np_), dtype=np.int64)
    for i in range(0, mp, tile):
        for j in range(0, np_, tile):
            for kk in range(0, kp, tile):
                acc[i : i + tile, j : j + tile] = wrap32(
                    acc[i : i + tile, j : j + tile]
                    + matmul_int8(ap[i : i + tile, kk : kk + tile], bp[kk : kk + tile, j : j + tile])
                )
    return output_stage(acc[:m, :n], bias, q)
