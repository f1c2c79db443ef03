"""First-order analytical cycle model of one GEMM on the chip -- analytical, not yet validated
against RTL.

This is a placeholder with the interface the report plugs in (``GemmCycles``); the model that is
validated against the RTL's own counters replaces ``first_order_gemm_cycles`` and keeps the
signature and the ``CycleEstimate`` fields.

C[M x N] = A[M x K] . B[K x N]; A is the activation, B the weight (or K/V cache), all int8;
C is written as int8 (requantized). N_arr = ``array_n``.

compute
    ``ceil(M/N_arr) * ceil(N/N_arr) * max(K_eff, N_arr) + (2*N_arr + 5)``: one N_arr x N_arr
    output tile per ``max(K, N_arr)`` cycles, back to back, plus one fill/drain of the core
    (``docs/core.md``: a single tile takes ``max(K, N) + 2N + 5`` cycles). With block sparsity s
    only the expected non-zero k-blocks of a column tile are streamed:
    ``K_eff = N_arr * ceil((1 - s) * ceil(K / N_arr))``.
memory
    bytes moved / bus bytes per cycle, reads and writes on one bus (conservative). Tiling as in
    ``docs/chip.md``: the A buffer (``buf_depth`` k-entries of an N_arr-row panel) holds
    ``max(1, buf_depth // K)`` row panels, and B is read once per such row block of A. When
    K > ``buf_depth`` an A panel does not fit and is streamed again, in K chunks, for every column
    tile. With sparsity, only non-zero B blocks are read (and, when A is re-streamed, only the A
    entries they meet), plus the block map (one bit per block, rows padded to a bus word).
total
    ``max(compute, memory) + mem_latency``; ``bound`` says which of the two is larger.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Literal, Protocol

MODEL_LABEL = "analytical, not yet validated against RTL"
BUF_DEPTH = 1024  # entries in the core's A and B buffers (rtl/gemm_core.v BUF_DEPTH default)

Bound = Literal["compute", "memory"]


@dataclass(frozen=True)
class CycleEstimate:
    """Cycles of one GEMM and the traffic it causes on the memory bus."""

    cycles: int
    bound: Bound
    bytes_read: int
    bytes_written: int
    compute_cycles: int = 0
    memory_cycles: int = 0


class GemmCycles(Protocol):
    """Interface of a pluggable GEMM cycle model (the report calls it with keywords only)."""

    def __call__(
        self, m: int, n: int, k: int, *, array_n: int, bus_w_bytes: int, mem_latency: int, sparsity: float
    ) -> CycleEstimate: ...


def fill_drain_cycles(array_n: int) -> int:
    """Cycles from a tile's last operands to its last result row out (docs/core.md: 2N + 5)."""
    return 2 * array_n + 5


def effective_k(k: int, array_n: int, sparsity: float) -> int:
    """Reduction depth actually streamed when a fraction ``sparsity`` of k-blocks is zero."""
    if sparsity <= 0.0:
        return k
    k_blocks = ceil(k / array_n)
    nonzero_blocks = ceil(round((1.0 - sparsity) * k_blocks, 9))
    return min(k, nonzero_blocks * array_n)


def first_order_gemm_cycles(
    m: int,
    n: int,
    k: int,
    *,
    array_n: int,
    bus_w_bytes: int,
    mem_latency: int,
    sparsity: float,
    buf_depth: int = BUF_DEPTH,
) -> CycleEstimate:
    """First-order estimate (analytical, not yet validated against RTL); see the module doc."""
    if min(m, n, k, array_n, bus_w_bytes, buf_depth) < 1 or mem_latency < 0:
        raise ValueError(f"bad GEMM or chip parameters: m={m} n={n} k={k} array_n={array_n}")
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity must be in [0, 1], got {sparsity}")
    row_tiles, col_tiles = ceil(m / array_n), ceil(n / array_n)
    k_eff = effective_k(k, array_n, sparsity)
    compute = row_tiles * col_tiles * max(k_eff, array_n) + fill_drain_cycles(array_n)

    a_panels_in_buffer = max(1, buf_depth // k)
    row_blocks = ceil(row_tiles / a_panels_in_buffer)
    a_bytes = m * k_eff * col_tiles if k > buf_depth else m * k
    b_bytes_once = ceil(k * n * k_eff / k)
    map_bytes = 0
    if sparsity > 0.0:
        map_row_bytes = ceil(ceil(col_tiles / 8) / bus_w_bytes) * bus_w_bytes
        map_bytes = ceil(k / array_n) * map_row_bytes
    bytes_read = a_bytes + b_bytes_once * row_blocks + map_bytes
    bytes_written = m * n
    memory = ceil((bytes_read + bytes_written) / bus_w_bytes)

    bound: Bound = "compute" if compute >= memory else "memory"
    return CycleEstimate(
        cycles=max(compute, memory) + mem_latency,
        bound=bound,
        bytes_read=bytes_read,
        bytes_written=bytes_written,
        compute_cycles=compute,
        memory_cycles=memory,
    )


# The model the report uses by default; the RTL-validated model replaces this binding.
gemm_cycles: GemmCycles = first_order_gemm_cycles
