"""models/demo/int4_weights.py: per-column int4 codes, clipped scales, GPTQ rounding."""

from __future__ import annotations

import numpy as np
import pytest

from models.demo.int4_weights import INT4_MAX, INT4_MIN, column_scales, gptq_codes, output_error, round_codes


def _layer(seed: int = 3, t: int = 400, k: int = 64, n: int = 24):
    rng = np.random.default_rng(seed)
    mix = rng.normal(size=(k, k)) / np.sqrt(k)  # correlated inputs, as a layer's activations are
    x = rng.normal(size=(t, k)) @ mix
    w = rng.normal(size=(k, n)) * rng.uniform(0.2, 2.0, size=n)  # a spread of column ranges
    w[rng.integers(0, k, 5), rng.integers(0, n, 5)] *= 6.0  # a few outlier weights
    return x, w


def test_codes_stay_in_the_int4_range() -> None:
    x, w = _layer()
    s = column_scales(w)
    for codes in (round_codes(w, s), gptq_codes(w, x, s)):
        assert codes.dtype == np.int8 and codes.min() >= INT4_MIN and codes.max() <= INT4_MAX


def test_clipped_scales_never_round_worse_than_absmax() -> None:
    _, w = _layer()
    s_abs = np.abs(w).max(axis=0) / INT4_MAX
    s = column_scales(w)
    err = ((round_codes(w, s) * s - w) ** 2).sum(axis=0)
    err_abs = ((round_codes(w, s_abs) * s_abs - w) ** 2).sum(axis=0)
    assert np.all(err <= err_abs + 1e-12) and np.any(err < err_abs)  # the outlier columns gain


def test_gptq_moves_the_layer_output_less_than_rounding() -> None:
    x, w = _layer()
    s = column_scales(w)
    rtn, gptq = output_error(w, x, round_codes(w, s), s), output_error(w, x, gptq_codes(w, x, s), s)
    assert gptq < 0.8 * rtn, (gptq, rtn)


def test_gptq_with_one_row_is_rounding() -> None:
    x, w = _layer(k=1)
    s = column_scales(w)
    assert np.array_equal(gptq_codes(w, x, s), round_codes(w, s))


def test_gptq_refuses_inputs_of_the_wrong_width() -> None:
    x, w = _layer()
    with pytest.raises(ValueError, match="do not feed a weight"):
        gptq_codes(w, x[:, :10], column_scales(w))
