"""models/chip/int4_pack.py: the packed int4 layout and its GEMM against the int8 one."""

from __future__ import annotations

import numpy as np
import pytest

from models.chip.golden import Requant, gemm
from models.chip.int4_pack import gemm_int4, pack_int4, unpack_int4


def test_nibble_order_and_sign() -> None:
    b = np.array([[-8, 7, -1, 0], [1, -1, 7, -8]])  # row 0 low nibble, row 1 high nibble
    assert pack_int4(b).tolist() == [[0x18, 0xF7, 0x7F, 0x80]]


@pytest.mark.parametrize("k", [1, 2, 7, 64])
def test_round_trip_with_odd_and_even_k(k: int) -> None:
    rng = np.random.default_rng(k)
    b = rng.integers(-8, 8, size=(k, 13))
    b[0, :2] = [-8, 7]  # the edge values
    p = pack_int4(b)
    assert p.shape == (-(-k // 2), 13)
    assert np.array_equal(unpack_int4(p, k), b)
    if k % 2:  # the odd row's partner nibble is zero
        assert np.all(p[-1] >> 4 == 0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_packed_gemm_equals_the_unpacked_one(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n, k = 5, 11, 2 * seed + 1
    a = rng.integers(-128, 128, size=(m, k))
    b = rng.integers(-8, 8, size=(k, n))
    bias = rng.integers(-(2**20), 2**20, size=n)
    q = Requant(scale=rng.integers(1, 2**15, size=n), shift=12, relu=bool(seed % 2))
    assert np.array_equal(gemm_int4(a, pack_int4(b), k, bias, q), gemm(a, b, bias, q))


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match=r"outside \[-8, 7\]"):
        pack_int4(np.array([[8]]))
    with pytest.raises(TypeError):
        pack_int4(np.array([[0.5]]))
    with pytest.raises(ValueError, match="do not hold K = 5"):
        unpack_int4(np.zeros((2, 3), dtype=np.uint8), 5)
