"""Shared driver for GEMMs on the chip harnesses: lay out memory, start, wait, check, record."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cocotb
import numpy as np
from cocotb.triggers import ClockCycles, RisingEdge

from models.chip.golden import Requant, gemm
from models.chip.host_layout import scale_offset, vector_bytes
from models.cycle.cycle_engine import engine_cycles
from tb.env import coverage_model as fcov
from tb.env.mem_image import MemImage, sparsity_map
from tb.env.results import record
from tb.env.seeds import current_test, run_seed

FLAG_INT8, FLAG_RELU, FLAG_BIAS, FLAG_PERCH, FLAG_SPARSE = 1, 2, 4, 8, 16


@dataclass
class GemmCase:
    m: int
    n: int
    k: int
    flags: int = FLAG_INT8
    shift: int = 0
    sparsity: float = 0.0  # fraction of all-zero N x N blocks of B (FLAG_SPARSE)
    pad: int = 0  # spare bus words after every row of A, B and C (row strides > row lengths)


@dataclass
class GemmLayout:
    a: np.ndarray
    b: np.ndarray
    bias: np.ndarray
    scale: np.ndarray
    regs: dict
    c_addr: int
    ldc: int
    expect: np.ndarray


def build(rng: np.random.Generator, mem: MemImage, case: GemmCase, array_n: int) -> GemmLayout:
    """Random operands for one GEMM (with ``case.sparsity`` of B's blocks zeroed when the case is
    block-sparse), placed in memory; the golden result."""
    m, n, k, f = case.m, case.n, case.k, case.flags
    a = rng.integers(-128, 128, size=(m, k))
    b = rng.integers(-128, 128, size=(k, n))
    if f & FLAG_SPARSE:
        zero = rng.random((-(-k // array_n), -(-n // array_n))) < case.sparsity
        for bi, j in np.argwhere(zero):
            b[bi * array_n : (bi + 1) * array_n, j * array_n : (j + 1) * array_n] = 0
    bias = rng.integers(-(2**24), 2**24, size=n)
    scale = rng.integers(1, 2**16, size=n) if f & FLAG_PERCH else np.full(n, int(rng.integers(1, 2**16)))
    return place(mem, a, b, bias, scale, case, array_n)


def read_addrs(lay: GemmLayout) -> dict[str, int]:
    """Where the operands the controller reads lie (the cycle model's ``addrs``)."""
    r = lay.regs
    keys = dict(a="r_a_addr", lda="r_lda", b="r_b_addr", ldb="r_ldb", bias="r_bias_addr", map="r_map_addr")
    return {k: int(r[v]) for k, v in keys.items()}


def zero_blocks(b: np.ndarray, array_n: int) -> np.ndarray:
    """[k_blocks, col_tiles] mask of the all-zero ARRAY_N x ARRAY_N blocks of B (edges padded)."""
    k, n = b.shape
    kb, ct = -(-k // array_n), -(-n // array_n)
    padded = np.zeros((kb * array_n, ct * array_n), dtype=np.int64)
    padded[:k, :n] = b
    return ~padded.reshape(kb, array_n, ct, array_n).any(axis=(1, 3))


def place(
    mem: MemImage,
    a: np.ndarray,
    b: np.ndarray,
    bias: np.ndarray,
    scale: np.ndarray,
    case: GemmCase,
    array_n: int,
) -> GemmLayout:
    """Put A, B, the bias/scale vectors and (block-sparse) the zero-block map of B in memory,
    allocate C, and compute the golden C. ``bias`` is used when the case has FLAG_BIAS; ``scale``
    is one value per column (FLAG_PERCH) or per tensor (its first value)."""
    m, n, k, f = case.m, case.n, case.k, case.flags
    assert a.shape == (m, k) and b.shape == (k, n), f"{case}: A {a.shape}, B {b.shape}"
    a_addr, lda = mem.put_matrix(a, pad_words=case.pad)
    b_addr, ldb = mem.put_matrix(b, pad_words=case.pad)
    # bias at BIAS_ADDR, scale at BIAS_ADDR + scale_offset: each padded to whole column tiles
    params = np.zeros(2 * vector_bytes(n, array_n) // 4, dtype=np.int64)
    params[:n] = bias
    s_lane = scale_offset(n, array_n) // 4
    params[s_lane : s_lane + n] = scale
    bias_addr = mem.put_bytes(params.astype(np.int32).view(np.uint8))
    map_addr = mem.put_bytes(sparsity_map(zero_blocks(b, array_n), mem.word_bytes)) if f & FLAG_SPARSE else 0
    elem = 1 if f & FLAG_INT8 else 4
    c_addr, ldc = mem.put_matrix(np.zeros((m, n), dtype=np.int64), elem, pad_words=case.pad)
    q_scale = scale if f & FLAG_PERCH else int(scale[0])
    q = Requant(scale=q_scale, shift=case.shift, relu=bool(f & FLAG_RELU), out_int8=bool(f & FLAG_INT8))
    expect = gemm(a, b, bias if f & FLAG_BIAS else None, q)
    regs = dict(
        r_a_addr=a_addr,
        r_b_addr=b_addr,
        r_c_addr=c_addr,
        r_bias_addr=bias_addr,
        r_map_addr=map_addr,
        r_m=m,
        r_n=n,
        r_k=k,
        r_lda=lda,
        r_ldb=ldb,
        r_ldc=ldc,
        r_scale=int(scale[0]) & 0xFFFFFFFF,
        r_shift=case.shift,
        r_flags=f,
    )
    return GemmLayout(a, b, bias, scale, regs, c_addr, ldc, expect)


async def run_on_harness(
    dut,
    mem: MemImage,
    lay: GemmLayout,
    case: GemmCase,
    test: str,
    overlap: bool = True,
    timeout: int = 2_000_000,
    read_bursts: bool = True,
) -> dict:
    """Load memory, program the descriptor ports, start, wait for done, dump and compare. The
    wait is bounded by 4 x the cycle model's prediction (at the harness's read latency) plus a
    margin, and by ``timeout``."""
    work = Path.cwd()
    n_arr, kmax = int(dut.ARRAY_N.value), int(dut.KMAX.value)
    zm = zero_blocks(lay.b, n_arr)
    zb = {tuple(map(int, z)) for z in np.argwhere(zm)} if case.flags & FLAG_SPARSE else None
    predicted = engine_cycles(
        case.m, case.n, case.k, array_n=n_arr, bus_w_bytes=int(dut.BUS_W.value) // 8,
        read_latency=int(dut.READ_LATENCY.value), write_latency=1, flags=case.flags,
        overlap=overlap, zero_blocks=zb, addrs=read_addrs(lay), read_bursts=read_bursts,
        c_addr=lay.c_addr, ldc=lay.ldc, a_panels=int(dut.A_PANELS.value), kmax=kmax,
    )["total"]  # fmt: skip
    timeout = min(timeout, 4 * predicted + 2_000)
    mem.write_hex(work / "mem.hex")
    dut.load.value = 1
    await RisingEdge(dut.clk)
    dut.load.value = 0
    for name, v in lay.regs.items():
        getattr(dut, name).value = int(v)
    dut.overlap_enable.value = int(overlap)
    dut.chain_enable.value = 0
    dut.read_bursts.value = int(read_bursts)
    dut.start.value = 1
    await RisingEdge(dut.clk)
    dut.start.value = 0
    waited = 0
    while True:
        await ClockCycles(dut.clk, 64)
        waited += 64
        if dut.busy.value == 0:
            break
        assert waited < timeout, (
            f"WATCHDOG: GEMM {case} not done after {waited} cycles (predicted {predicted} by the cycle "
            f"model, bound {timeout}); replay: SEED={run_seed()} TESTCASE={current_test()}"
        )
    assert int(dut.error_code.value) == 0, f"{case}: error code {int(dut.error_code.value)}"
    counters = {
        c: int(getattr(dut, f"cnt_{c}").value)
        for c in ("total", "compute", "stall", "bytes_rd", "bytes_wr", "tiles", "skipped")
    }
    dut.dump.value = 1
    await RisingEdge(dut.clk)
    dut.dump.value = 0
    await ClockCycles(dut.clk, 2)
    mem.read_hex(work / "mem_out.hex")
    check_and_record(
        mem, lay, case, test, counters, n_arr, int(dut.BUS_W.value), overlap, read_bursts=read_bursts,
    )  # fmt: skip
    fcov.sample_gemm(case, n_arr, kmax, overlap, None, zm)
    cocotb.log.info("%s: %s (cycle model %d)", case, counters, predicted)
    return counters


def check_and_record(
    mem: MemImage,
    lay: GemmLayout,
    case: GemmCase,
    test: str,
    counters: dict,
    array_n: int,
    bus_w: int,
    overlap: bool,
    **extra,
) -> None:
    """Compare C in the dumped memory with the golden model bit for bit, then record the chip's
    own counters for this GEMM in build/results/ (docs/results_schema.md)."""
    check_c(mem, lay, case)
    record_gemm(test, case, counters, array_n, bus_w, overlap, **extra)


def check_c(mem: MemImage, lay: GemmLayout, case: GemmCase) -> None:
    """C in the dumped memory equals the golden model's, bit for bit."""
    elem = 1 if case.flags & FLAG_INT8 else 4
    got = mem.get_matrix(lay.c_addr, case.m, case.n, lay.ldc, elem)
    if not np.array_equal(got, lay.expect):
        bad = np.argwhere(got != lay.expect)
        raise AssertionError(
            f"{case}: {len(bad)} wrong elements, first C{tuple(bad[0])} = {got[tuple(bad[0])]}, "
            f"golden {lay.expect[tuple(bad[0])]}"
        )


def record_gemm(
    test: str, case: GemmCase, counters: dict, array_n: int, bus_w: int, overlap: bool, **extra
) -> None:
    """One results record of a GEMM with the chip's (or controller's) own counters."""
    record(
        test,
        array_n,
        case.m,
        case.n,
        case.k,
        {
            "out_int8": bool(case.flags & FLAG_INT8),
            "relu": bool(case.flags & FLAG_RELU),
            "bias_en": bool(case.flags & FLAG_BIAS),
            "per_channel": bool(case.flags & FLAG_PERCH),
            "block_sparse": bool(case.flags & FLAG_SPARSE),
            "overlap": overlap,
        },
        counters["total"],
        bytes_read=counters["bytes_rd"],
        bytes_written=counters["bytes_wr"],
        stall_cycles=counters["stall"],
        compute_cycles=counters["compute"],
        tiles=counters["tiles"],
        tiles_skipped=counters["skipped"],
        sparsity=case.sparsity,
        bus_w=bus_w,
        event_start="start",
        event_end="done (all C written)",
        **extra,
    )
