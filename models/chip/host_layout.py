"""Where a host puts a GEMM's vectors and sparsity map in memory (docs/host_guide.md).

These are the formulas a driver needs besides the register map, written once and used by the
testbenches' memory images, the demo and the docs tests; the chip (rtl/gemm_controller.v) reads
memory at exactly these places. Everything is in bytes; ``array_n`` and ``bus_bytes`` are the
HWCFG fields of the same names.
"""

from __future__ import annotations

import numpy as np


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def col_tiles(n: int, array_n: int) -> int:
    """Column tiles of C: ceil(N / array_n)."""
    return _ceil_div(n, array_n)


def vector_bytes(n: int, array_n: int) -> int:
    """Bytes of one int32[N] bias or scale vector as the chip reads it: padded to whole column
    tiles, 4 * array_n * ceil(N / array_n) (the padding lanes are read and not used)."""
    return 4 * array_n * col_tiles(n, array_n)


def scale_offset(n: int, array_n: int) -> int:
    """Offset of the scale vector from BIAS_ADDR (FLAGS.per_channel_scale): the bias vector's
    padded size, 4 * array_n * ceil(N / array_n). A multiple of bus_bytes on every build
    (bus_bytes divides 4 * array_n)."""
    return vector_bytes(n, array_n)


def param_bytes(n: int, array_n: int, bias_en: bool, per_channel: bool) -> int:
    """Bytes the chip reads from BIAS_ADDR on: 0 without bias_en and per_channel_scale, one
    padded vector with bias_en only, two (bias slot then scale) with per_channel_scale, also when
    bias_en is 0 (the bias slot is read then and not used)."""
    if per_channel:
        return 2 * vector_bytes(n, array_n)
    return vector_bytes(n, array_n) if bias_en else 0


def map_stride(k: int, array_n: int, bus_bytes: int) -> int:
    """Bytes per column tile in the sparsity map: ceil(ceil(K / array_n) / 8) rounded up to a
    multiple of bus_bytes."""
    return _ceil_div(_ceil_div(_ceil_div(k, array_n), 8), bus_bytes) * bus_bytes


def sparsity_map(zero_blocks: np.ndarray, bus_bytes: int) -> bytes:
    """The block-sparsity map of B: ``zero_blocks[b, j]`` is True when k-block b of column tile j
    (an array_n x array_n block of B, edges padded with zeros) is all zero. Column tile j's bits
    start at byte j * stride (``map_stride``); k-block b is bit b % 8 of byte b // 8 (LSB first);
    1 = all zero (skipped), 0 = loaded and computed."""
    kb, ct = zero_blocks.shape
    stride = _ceil_div(_ceil_div(kb, 8), bus_bytes) * bus_bytes
    out = bytearray(stride * ct)
    for j in range(ct):
        for b in range(kb):
            if zero_blocks[b, j]:
                out[j * stride + b // 8] |= 1 << (b % 8)
    return bytes(out)
