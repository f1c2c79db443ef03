"""Cycle model of one GEMM on the whole chip, validated against the RTL (docs/cycle_model.md).

``engine_cycles`` (models/cycle/cycle_engine.py) steps the control state of the controller, core,
transposer, AXI DMA reader/writer and the AXI memory model cycle by cycle and returns the chip's
counters; ``tb/flows/validate_cycle_model.py`` (``make validate``) compares it with the chip on random
shapes, flags, masks and memory latencies.

``extrapolated_cycles`` runs ``engine_cycles`` on the whole GEMM when it is small enough, else on
the GEMM cut to a few row blocks and column tiles, extended bilinearly (exact once the steps are
periodic, which it checks on one more cut). ``engine_gemm_cycles`` puts that behind the report's
``GemmCycles`` interface and is the default binding ``gemm_cycles``; ``MODEL_LABEL`` says how it
was validated (figures of build/validate/cycle_model.json when present).

``first_order_gemm_cycles`` is the earlier analytical placeholder (kept for its tests).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from functools import lru_cache
from math import ceil
from pathlib import Path
from typing import Literal, Protocol

from models.cycle.cycle_engine import (  # noqa: F401  (re-exported: the public interface is here)
    A_PANELS,
    F_BIAS,
    F_INT8,
    F_PERCH,
    F_RELU,
    F_SPARSE,
    KMAX,
    engine_cycles,
)
from models.cycle.dram_timing import chip_params
from models.cycle.mem_timing import DramMemory

BUF_DEPTH = 1024  # first-order placeholder only
VALIDATION = Path(__file__).resolve().parent.parent.parent / "build" / "validate" / "cycle_model.json"
# DRAM: the largest error of a large GEMM's extrapolation on its check cut that is kept (else the
# GEMM is simulated whole); measured errors against whole runs are in docs/cycle_model.md
DRAM_FIT_TOL = 0.005
MEM_LATENCY = 20  # report interface: memory read and write latency taken as equal
# What `make validate` last measured, written by it (tb/flows/validate_cycle_model.py) after a full sweep
# that passed, with a hash of the RTL and the engine model it ran on; a test in `make test` fails
# when either has changed since (tests/test_cycle_model.py), so the label cannot go stale.
VALIDATION_RECORD = Path(__file__).resolve().parent.parent / "cycle_model_validation.json"
_HASHED = ("rtl", "*.v"), ("models/cycle", "cycle_engine.py")
# the DRAM part of the record also covers the DRAM model (HDL and its Python twin) and the adapter
_HASHED_DRAM = (
    *_HASHED, ("models/cycle", "mem_timing.py"), ("models/cycle", "dram_axi.py"),
    ("models/cycle", "dram_timing.py"),
    ("tb/hdl", "dram_model.v"),
)  # fmt: skip


def sources_hash(repo: Path | None = None, memory: str = "ideal") -> str:
    """sha256 over the chip RTL and the engine model (sorted paths and contents); with
    ``memory="dram"`` also over the DRAM model and its twin."""
    repo = repo or Path(__file__).resolve().parent.parent.parent
    h = hashlib.sha256()
    for folder, pattern in _HASHED_DRAM if memory == "dram" else _HASHED:
        for f in sorted((repo / folder).glob(pattern)):
            h.update(f"{folder}/{f.name}\n".encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def validation_record(path: Path = VALIDATION_RECORD) -> dict | None:
    """The committed record of the last passing ``make validate``, or None."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def validation_summary(path: Path = VALIDATION) -> dict | None:
    """The summary of the latest ``make validate`` run (build/validate/cycle_model.json), or None."""
    try:
        return json.loads(path.read_text())["summary"]
    except (OSError, ValueError, KeyError):
        return None


def _model_label() -> str:
    rec = validation_record()
    if rec is None:
        return "per-engine cycle model of the chip, NOT validated (no make validate record)"
    return (
        f"per-engine cycle model of the chip, validated against the chip RTL on {rec['points']} random "
        f"GEMMs with max error {100 * rec['max_abs_error']:.2f} % (`make validate`); large GEMMs "
        "extrapolated from simulated cuts"
    )


# label of the binding ``gemm_cycles`` (the report prints it)
MODEL_LABEL = _model_label()
FIRST_ORDER_LABEL = "analytical first-order estimate, not validated against RTL"

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
    source: str = "model"  # "model", "model (extrapolated)" or "measured" (models/cycle/cycle_measured.py)


class GemmCycles(Protocol):
    """Interface of a pluggable GEMM cycle model (the report calls it with keywords only)."""

    def __call__(
        self, m: int, n: int, k: int, *, array_n: int, bus_w_bytes: int, mem_latency: int, sparsity: float,
        dram_khz: int = 0,
    ) -> CycleEstimate: ...  # fmt: skip


def uniform_zero_blocks(k_blocks: int, col_tiles: int, sparsity: float) -> set[tuple[int, int]]:
    """A block mask with ``round(sparsity * k_blocks)`` zero blocks in every column tile, spread
    evenly over k (the same in every tile, so the steps stay periodic)."""
    zeros = round(sparsity * k_blocks)
    rows = {int((i + 0.5) * k_blocks / zeros) for i in range(zeros)} if zeros else set()
    return {(b, j) for b in rows for j in range(col_tiles)}


def dram_memory(dram_khz: int, bus_w_bytes: int) -> DramMemory:
    """A fresh (idle) DRAM timing model (DDR3-1600K, models/cycle/dram_timing.py) at a chip clock of
    ``dram_khz``: it has state, so one per GEMM."""
    return DramMemory(chip_params(chip_khz=dram_khz, bus_bytes=bus_w_bytes))


@lru_cache(maxsize=1024)
def _run(
    m: int, n: int, k: int, sparsity: float, array_n: int, bus_w_bytes: int, read_latency: int,
    write_latency: int, flags: int, dram_khz: int = 0,
) -> dict:  # fmt: skip
    """``engine_cycles`` on the ideal memory, or on the DRAM model at ``dram_khz`` when it is > 0."""
    kb, ct = -(-k // array_n), -(-n // array_n)
    zero = uniform_zero_blocks(kb, ct, sparsity) if flags & F_SPARSE else None
    mem = dram_memory(dram_khz, bus_w_bytes) if dram_khz > 0 else None
    return engine_cycles(
        m, n, k, array_n=array_n, bus_w_bytes=bus_w_bytes, read_latency=read_latency,
        write_latency=write_latency, flags=flags, zero_blocks=zero, mem=mem,
    )  # fmt: skip


def extrapolated_cycles(
    m: int, n: int, k: int, *, array_n: int, bus_w_bytes: int, read_latency: int, flags: int,
    sparsity: float = 0.0, budget: int = 60_000, write_latency: int | None = None, dram_khz: int = 0,
) -> dict:  # fmt: skip
    """``engine_cycles`` of the whole GEMM when its MAC cycles are under ``budget`` (or it has at most
    3 row blocks and column tiles). Otherwise the same GEMM cut to a few row blocks R and column tiles
    C (same K, same partial last block and tile) is simulated at R, C in {b, b+1} and extended
    bilinearly to the full R, C, which is exact once the step sequence is periodic; the fit is
    checked on (b+2, b+2) (``verified``), first with b = 1, then b = 2. ``method`` says which."""
    wl = read_latency if write_latency is None else write_latency
    kw = dict(
        array_n=array_n, bus_w_bytes=bus_w_bytes, read_latency=read_latency, write_latency=wl, flags=flags,
        dram_khz=dram_khz,
    )  # fmt: skip
    rows_per_block = array_n * A_PANELS
    rb, ct = -(-m // rows_per_block), -(-n // array_n)
    if -(-m // array_n) * ct * max(k, array_n) <= budget or (rb <= 3 and ct <= 3):
        return dict(_run(m, n, k, sparsity, **kw), method="simulated", verified=True)

    def cut(r: int, c: int) -> dict[str, int]:
        return _run(m - (rb - r) * rows_per_block, n - (ct - c) * array_n, k, sparsity, **kw)

    # Ideal memory: consecutive cuts (b, b + 1; check b + 2), exact once the steps are periodic.
    # DRAM: refresh every refi cycles is not in step with the tiles, so the cuts are spread
    # (b, 2b; check 3b) to average its phase, and the fit is exact only by chance: ``check_error``
    # is the fit's error on the check cut (the caller decides whether to simulate it whole).
    plans = ((1, 1), (2, 1)) if dram_khz <= 0 else ((4, 4), (8, 8))
    out: dict = {}
    for b, step in plans:
        rs = (rb,) * 3 if rb <= b + 2 * step else (b, b + step, b + 2 * step)
        cs = (ct,) * 3 if ct <= b + 2 * step else (b, b + step, b + 2 * step)
        f = {(x, y): cut(rs[x], cs[y]) for x in (0, 1) for y in (0, 1)}
        check = cut(rs[2], cs[2])
        verified, check_error = True, 0.0
        sr, sc = max(1, rs[1] - rs[0]), max(1, cs[1] - cs[0])  # cut spacing (1 when not cut)
        for key, v00 in f[(0, 0)].items():
            d_r, d_c = (f[(1, 0)][key] - v00) / sr, (f[(0, 1)][key] - v00) / sc
            d_rc = (f[(1, 1)][key] - f[(1, 0)][key] - f[(0, 1)][key] + v00) / (sr * sc)
            x2, y2 = rs[2] - rs[0], cs[2] - cs[0]
            fit = round(v00 + x2 * d_r + y2 * d_c + x2 * y2 * d_rc)
            verified &= fit == check[key]
            if key == "total":
                check_error = abs(fit - check[key]) / max(1, check[key])
            x, y = rb - rs[0], ct - cs[0]
            out[key] = round(v00 + x * d_r + y * d_c + x * y * d_rc)
        if verified:
            break
    return dict(out, method="extrapolated", verified=verified, check_error=check_error)


@lru_cache(maxsize=4096)
def engine_gemm_cycles(
    m: int, n: int, k: int, *, array_n: int, bus_w_bytes: int, mem_latency: int, sparsity: float,
    dram_khz: int = 0,
) -> CycleEstimate:  # fmt: skip
    """The ``GemmCycles`` interface on the validated engine model: int8 output with bias, overlap
    on, ``mem_latency`` = the memory's read and write latency (one beat per cycle, no stalls), or,
    with ``dram_khz`` > 0, the DRAM timing model (tb/hdl/dram_model.v, DDR3-1600K) at that chip
    clock (``mem_latency`` unused); C packed at a 4 KB-aligned address, block sparsity as an even
    mask, each GEMM from an idle DRAM. K beyond
    the controller's KMAX runs as ceil(K / KMAX) GEMMs back to back (int32 partial outputs added
    by the host, not counted). A bus narrower than ARRAY_N bytes (not a buildable chip) falls back to
    the first-order estimate, and its ``source`` says so. On the DRAM a large GEMM's extrapolation
    is kept when its fit is within ``DRAM_FIT_TOL`` on the check cut (``source`` gives the largest
    such error), else the GEMM is simulated whole."""
    if bus_w_bytes < array_n:  # no such chip: the controller needs a bus of at least N bytes
        if dram_khz > 0:
            raise ValueError("the DRAM model needs a buildable chip (BUS_W / 8 >= ARRAY_N)")
        est = first_order_gemm_cycles(
            m, n, k, array_n=array_n, bus_w_bytes=bus_w_bytes, mem_latency=mem_latency, sparsity=sparsity
        )
        return replace(est, source="model (first-order: BUS_W/8 < ARRAY_N is not built)")
    chunks = -(-k // KMAX)
    total = {"total": 0, "compute": 0, "bytes_rd": 0, "bytes_wr": 0}
    extrapolated, fit_error = False, 0.0
    flags = F_INT8 | F_BIAS | (F_SPARSE if sparsity > 0 else 0)
    for i in range(chunks):
        kk = min(KMAX, k - i * KMAX)
        f = flags if chunks == 1 else (flags & ~F_INT8)
        r = extrapolated_cycles(
            m, n, kk, array_n=array_n, bus_w_bytes=bus_w_bytes, read_latency=mem_latency, flags=f,
            sparsity=sparsity, dram_khz=dram_khz,
        )  # fmt: skip
        close = dram_khz > 0 and r.get("check_error", 1.0) <= DRAM_FIT_TOL
        if not r["verified"] and not close:  # not periodic within the cuts: simulate it whole
            r = _run(m, n, kk, sparsity, array_n, bus_w_bytes, mem_latency, mem_latency, f, dram_khz)
        elif r["method"] == "extrapolated":
            extrapolated = True
            fit_error = max(fit_error, r.get("check_error", 0.0))
        for key in total:
            total[key] += r[key]
    memory = ceil((total["bytes_rd"] + total["bytes_wr"]) / bus_w_bytes)
    bound: Bound = "compute" if total["compute"] >= memory else "memory"
    source = "model (extrapolated)" if extrapolated else "model"
    if extrapolated and fit_error > 0:
        source = f"model (extrapolated, fit within {100 * fit_error:.2f} %)"
    return CycleEstimate(
        total["total"], bound, total["bytes_rd"], total["bytes_wr"], total["compute"], memory, source
    )


def descriptor_fetch_cycles(bus_w_bytes: int, read_latency: int) -> int:
    """Cycles a chain spends reading one 64-byte descriptor (rtl/gemm_controller.v S_FETCH): one
    read request per cycle for 64 / bus bytes beats, the last beat back read_latency + 3 cycles
    after its request (the DMA reader's command and AR registers and its data FIFO, as in the
    engine model), and two cycles of hand-over (the state change into the fetch, and the check
    that every beat is in before CHECK)."""
    return 64 // bus_w_bytes + max(1, read_latency) + 5


def chain_cycles(gemm_totals: list[int], *, bus_w_bytes: int, read_latency: int) -> int:
    """PERF_CYCLES of a descriptor chain from the single-GEMM totals of its GEMMs (each
    ``engine_cycles(...)["total"]``, which counts 3 check cycles, the run and 1 done cycle).

    In a chain every GEMM is first fetched (``descriptor_fetch_cycles``) and then checked and run
    as on its own; the next fetch starts in the cycle the previous run ends, with no done cycle
    in between, and only the last GEMM has one. GEMMs do not overlap: a run ends only when all its
    writes are acknowledged. Hence sum(total - 1) + n * fetch + 1."""
    fetch = descriptor_fetch_cycles(bus_w_bytes, read_latency)
    return sum(t - 1 for t in gemm_totals) + len(gemm_totals) * fetch + 1


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


# The model the report uses by default (see docs/cycle_model.md for engine_gemm_cycles).
gemm_cycles: GemmCycles = engine_gemm_cycles
