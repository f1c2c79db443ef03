"""The first-order GEMM cycle model and the per-model evaluation built on it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.cycle.cycle_model import CycleEstimate, first_order_gemm_cycles
from models.report.performance import ChipParams, evaluate
from models.transformer.workloads import Scenario, resolve_model


def cycles(m: int, n: int, k: int, *, mem_latency: int = 0, sparsity: float = 0.0) -> CycleEstimate:
    """The first-order model on an 8x8 array with a 64-bit bus."""
    return first_order_gemm_cycles(
        m, n, k, array_n=8, bus_w_bytes=8, mem_latency=mem_latency, sparsity=sparsity
    )


def test_single_tile_matches_core_timing() -> None:
    """docs/core.md: one tile with operands in the buffers takes max(K, N) + 2N + 5 cycles."""
    for n in (4, 8, 16):
        e = first_order_gemm_cycles(n, n, n, array_n=n, bus_w_bytes=64, mem_latency=0, sparsity=0.0)
        assert e.cycles == n + 2 * n + 5
        assert e.bound == "compute"


def test_back_to_back_tiles() -> None:
    """32 tiles of K = 256 (the bulk test's shape): 32 x 256 + 2N + 5 compute cycles."""
    e = first_order_gemm_cycles(8, 8 * 32, 256, array_n=8, bus_w_bytes=1024, mem_latency=0, sparsity=0.0)
    assert e.compute_cycles == 32 * 256 + 21


def test_matrix_vector_is_memory_bound() -> None:
    e = cycles(1, 2048, 2048)
    assert e.bound == "memory"
    assert e.bytes_read >= 2048 * 2048  # every weight byte crosses the bus once
    assert e.memory_cycles == -(-(e.bytes_read + e.bytes_written) // 8)


def test_b_reread_per_row_block() -> None:
    """K = 512: the 1024-entry A buffer holds 2 row panels, so B is read once per 16 rows."""
    e = cycles(64, 64, 512)
    assert e.bytes_read == 64 * 512 + 512 * 64 * (64 // 16)
    assert e.bytes_written == 64 * 64


def test_memory_latency_is_added() -> None:
    a = cycles(16, 16, 16)
    b = cycles(16, 16, 16, mem_latency=20)
    assert b.cycles == a.cycles + 20


@given(
    m=st.integers(1, 300),
    n=st.integers(1, 300),
    k=st.integers(1, 3000),
    s=st.floats(0.0, 1.0),
)
def test_sparsity_never_costs_more_compute(m: int, n: int, k: int, s: float) -> None:
    dense = cycles(m, n, k)
    sparse = cycles(m, n, k, sparsity=s)
    assert sparse.compute_cycles <= dense.compute_cycles
    assert dense.cycles >= max(dense.compute_cycles, dense.memory_cycles)
    peak = 64 * dense.cycles
    assert m * n * k <= peak  # never faster than the array's peak


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError):
        cycles(0, 8, 8)
    with pytest.raises(ValueError):
        cycles(8, 8, 8, sparsity=1.5)


def test_evaluate_uses_the_plugged_model() -> None:
    calls: list[tuple[int, int, int]] = []

    def fake(
        m: int, n: int, k: int, *, array_n: int, bus_w_bytes: int, mem_latency: int, sparsity: float
    ) -> CycleEstimate:
        calls.append((m, n, k))
        return first_order_gemm_cycles(
            m, n, k, array_n=array_n, bus_w_bytes=bus_w_bytes, mem_latency=mem_latency, sparsity=sparsity
        )

    spec = resolve_model("bert-tiny")
    perf = evaluate(spec, Scenario.encoder(32), ChipParams(), fake)
    assert (32, 128, 128) in calls
    assert perf.cycles == sum(c.cycles for c in perf.gemms)


def test_decode_is_memory_bound_and_encoder_fills_the_array() -> None:
    chip = ChipParams()
    tiny = evaluate(resolve_model("tinyllama-1.1b"), Scenario.decode(128), chip, first_order_gemm_cycles)
    assert tiny.bound == "memory"
    assert tiny.utilization < 1 / 8  # one token uses 1 of 8 array rows at most
    bert = evaluate(resolve_model("bert-tiny"), Scenario.encoder(128), chip, first_order_gemm_cycles)
    assert bert.bound == "compute"
    assert bert.utilization > 0.95


def test_batch_amortizes_weights_in_decode() -> None:
    spec = resolve_model("tinyllama-1.1b")
    one = evaluate(spec, Scenario.decode(128, batch=1), ChipParams(), first_order_gemm_cycles)
    eight = evaluate(spec, Scenario.decode(128, batch=8), ChipParams(), first_order_gemm_cycles)
    assert eight.throughput > 4 * one.throughput


def test_non_gemm_cycles_added_only_on_request() -> None:
    spec = resolve_model("bert-tiny")
    host = evaluate(spec, Scenario.encoder(64), ChipParams(), first_order_gemm_cycles)
    added = evaluate(
        spec, Scenario.encoder(64), replace(ChipParams(), add_non_gemm=True), first_order_gemm_cycles
    )
    assert host.non_gemm_cycles > 0
    assert host.cycles == host.gemm_cycles
    assert added.cycles == added.gemm_cycles + added.non_gemm_cycles
