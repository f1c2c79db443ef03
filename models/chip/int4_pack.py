"""Packed int4 weights: the memory layout of a B operand of 4-bit values, and its GEMM.

This is the golden side of issue 14's datapath (the chip does not read it yet). B[K, N] with
every value in [-8, 7] lies in memory as P[ceil(K / 2), N] bytes, two consecutive K rows per
byte row:

    P[p, n] = (B[2p, n] mod 16) + 16 * (B[2p + 1, n] mod 16)     (B[K, n] = 0 when K is odd)

two's-complement nibbles, row 2p in the low nibble, row 2p + 1 in the high one. Unpacking a
nibble v gives v - 16 when v >= 8. Packing along K, not along N, is the choice that moves the
bytes a B row of a column tile costs: an ARRAY_N-wide slice of a byte row holds the tile's
columns for two K rows, so a k-block of ARRAY_N rows is ARRAY_N / 2 bus reads instead of
ARRAY_N, the same addressing (row stride LDB in bytes, column tile j at byte j * ARRAY_N), and
the bytes of one column stay in one column of P.

The arithmetic is the int8 GEMM's (``models.chip.golden``): unpack, then int8 x int8 -> int32;
an int4 value is an int8 value.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from models.chip.golden import Requant, gemm

INT4_MIN, INT4_MAX = -8, 7


def pack_int4(b: ArrayLike) -> NDArray[np.uint8]:
    """B[K, N] (integers in [-8, 7]) as the packed byte rows P[ceil(K / 2), N]."""
    v = np.asarray(b)
    if v.ndim != 2 or v.dtype.kind not in "iu":
        raise TypeError(f"B must be a 2-D integer array, got {v.dtype} of shape {v.shape}")
    if v.size and (v.min() < INT4_MIN or v.max() > INT4_MAX):
        raise ValueError(f"B has values outside [{INT4_MIN}, {INT4_MAX}]")
    k, n = v.shape
    rows = np.zeros((2 * -(-k // 2), n), dtype=np.int64)
    rows[:k] = v
    nib = rows % 16  # two's-complement nibble
    return (nib[0::2] + 16 * nib[1::2]).astype(np.uint8)


def unpack_int4(p: ArrayLike, k: int) -> NDArray[np.int64]:
    """The K x N int4 values of packed byte rows P (the inverse of ``pack_int4``)."""
    v = np.asarray(p)
    if v.ndim != 2 or v.dtype != np.uint8:
        raise TypeError(f"P must be a 2-D uint8 array, got {v.dtype} of shape {v.shape}")
    if v.shape[0] != -(-k // 2) or k < 1:
        raise ValueError(f"{v.shape[0]} packed rows do not hold K = {k} rows")
    nib = np.empty((2 * v.shape[0], v.shape[1]), dtype=np.int64)
    nib[0::2], nib[1::2] = v & 0xF, v >> 4
    return np.where(nib >= 8, nib - 16, nib)[:k]


def gemm_int4(
    a: ArrayLike, p: ArrayLike, k: int, bias: ArrayLike | None = None, q: Requant | None = None
) -> NDArray[np.int64]:
    """The GEMM of int8 A[M, K] with the packed int4 B of K rows: unpack, then ``golden.gemm``."""
    return gemm(a, unpack_int4(p, k), bias, q or Requant())
