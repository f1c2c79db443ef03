"""Properties of the golden model, checked against first principles (Python integers)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.chip.golden import (
    Requant,
    gemm,
    matmul_int8,
    output_stage,
    round_shift,
    saturate_int8,
    tiled_gemm,
    wrap32,
)


def int8_matrix(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    return rng.integers(-128, 128, size=(rows, cols), dtype=np.int8)


def reference_output(acc: int, bias: int, scale: int, shift: int, relu: bool) -> int:
    """One element by the textbook definition, with Python's unbounded integers."""
    pre = (acc + bias + 2**31) % 2**32 - 2**31
    x = pre * scale
    if shift:
        x = (x + (1 << (shift - 1))) >> shift  # Python >> is floor division by 2**shift
    x = max(-128, min(127, x))
    return max(x, 0) if relu else x


def test_matmul_matches_python_integers() -> None:
    rng = np.random.default_rng(1)
    a, b = int8_matrix(rng, 5, 7), int8_matrix(rng, 7, 3)
    expect = [[sum(int(a[i, k]) * int(b[k, j]) for k in range(7)) for j in range(3)] for i in range(5)]
    assert matmul_int8(a, b).tolist() == expect


def test_extreme_products_do_not_overflow_below_wrap() -> None:
    a = np.full((1, 4096), -128, dtype=np.int8)
    b = np.full((4096, 1), -128, dtype=np.int8)
    assert matmul_int8(a, b)[0, 0] == 4096 * 16384


def test_accumulator_wraps_modulo_2_32() -> None:
    k = 131073  # one more than the largest K that cannot wrap with (-128)*(-128) products
    a = np.full((1, k), -128, dtype=np.int8)
    b = np.full((k, 1), -128, dtype=np.int8)
    exact = k * 16384
    assert exact > 2**31 - 1
    assert matmul_int8(a, b)[0, 0] == exact - 2**32


def test_wrap32_edges() -> None:
    assert wrap32([2**31 - 1, 2**31, -(2**31) - 1, 2**32]).tolist() == [2**31 - 1, -(2**31), 2**31 - 1, 0]


@pytest.mark.parametrize(
    ("x", "shift", "expect"),
    [
        (5, 1, 3),
        (-5, 1, -2),
        (3, 1, 2),
        (-3, 1, -1),
        (7, 0, 7),
        (2**62, 63, 1),
        (-(2**62), 63, 0),
        (-(2**62) - 1, 63, -1),
    ],
)
def test_round_half_up(x: int, shift: int, expect: int) -> None:
    assert int(round_shift(np.array([x]), shift)[0]) == expect


def test_round_shift_rejects_bad_shift() -> None:
    with pytest.raises(ValueError, match="shift"):
        round_shift(np.array([1]), 64)


def test_saturation_both_ways_and_relu() -> None:
    acc = np.array([[1000, -1000, 5, -5]])
    assert saturate_int8(acc).tolist() == [[127, -128, 5, -5]]
    out = output_stage(acc, q=Requant(scale=1, shift=0, relu=True))
    assert out.tolist() == [[127, 0, 5, 0]]


def test_int32_passthrough_with_bias_wraps() -> None:
    acc = np.array([[2**31 - 1, 0]])
    out = output_stage(acc, bias=np.array([1, -7]), q=Requant(out_int8=False))
    assert out.tolist() == [[-(2**31), -7]]


def test_rejects_out_of_range_operands() -> None:
    with pytest.raises(ValueError, match="A has values"):
        matmul_int8(np.array([[128]]), np.array([[1]]))
    with pytest.raises(TypeError):
        matmul_int8(np.array([[1.5]]), np.array([[1]]))
    with pytest.raises(ValueError, match="shapes"):
        matmul_int8(np.zeros((2, 3), dtype=np.int8), np.zeros((2, 3), dtype=np.int8))


@settings(max_examples=60, deadline=None)
@given(
    m=st.integers(1, 20),
    n=st.integers(1, 20),
    k=st.integers(1, 40),
    tile=st.sampled_from([1, 4, 8, 16]),
    seed=st.integers(0, 2**32 - 1),
    relu=st.booleans(),
    out_int8=st.booleans(),
    shift=st.integers(0, 63),
    per_channel=st.booleans(),
)
def test_tiled_equals_flat(m, n, k, tile, seed, relu, out_int8, shift, per_channel) -> None:
    rng = np.random.default_rng(seed)
    a, b = int8_matrix(rng, m, k), int8_matrix(rng, k, n)
    bias = rng.integers(-(2**31), 2**31, size=n)
    scale = rng.integers(-(2**31), 2**31, size=n) if per_channel else int(rng.integers(-(2**31), 2**31))
    q = Requant(scale=scale, shift=shift, relu=relu, out_int8=out_int8)
    assert np.array_equal(tiled_gemm(a, b, tile, bias, q), gemm(a, b, bias, q))


@settings(max_examples=200, deadline=None)
@given(
    acc=st.integers(-(2**31), 2**31 - 1),
    bias=st.integers(-(2**31), 2**31 - 1),
    scale=st.integers(-(2**31), 2**31 - 1),
    shift=st.integers(0, 63),
    relu=st.booleans(),
)
def test_output_stage_matches_textbook(acc, bias, scale, shift, relu) -> None:
    out = output_stage(np.array([[acc]]), bias=np.array([bias]), q=Requant(scale, shift, relu))
    assert int(out[0, 0]) == reference_output(acc, bias, scale, shift, relu)
