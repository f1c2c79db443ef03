"""cocotb tests of rtl/gemm_core.v against models/chip/golden.py, plus the pytest runner.

Every test logs its seed; `SEED=<n> TESTCASE=<name> make test` replays it. Cycle counts are
taken at the core's handshakes (command accepted -> last result row out) and recorded in
build/results/ (docs/results_schema.md).
"""

from __future__ import annotations

import cocotb
import numpy as np
import pytest

from tb.env.core_tb import CoreTB, Tile, check_rows, expected_tile, record_tiles
from tb.env.seeds import log_seed


def _rng(dut) -> np.random.Generator:
    seed = log_seed(dut)
    return np.random.default_rng(seed)


def _flags_dict(flags: int) -> dict:
    return {"out_int8": bool(flags & 1), "relu": bool(flags & 2), "bias_en": bool(flags & 4)}


async def _load_tile(tb: CoreTB, rng, k, a_base, b_base, p_addr=0, lo=-128, hi=128, **tile_kw):
    """Write random operands for one tile and return the Tile with its golden result."""
    n = tb.n
    a = rng.integers(lo, hi, size=(n, k), dtype=np.int64)
    b = rng.integers(lo, hi, size=(k, n), dtype=np.int64)
    bias = rng.integers(-(2**31), 2**31, size=n)
    scale = rng.integers(1, 2**16, size=n)
    await tb.write_a(a_base, a)
    await tb.write_b(b_base, b)
    await tb.write_params(p_addr, bias, scale)
    t = Tile(a_base=a_base, b_base=b_base, k=k, p_addr=p_addr, **tile_kw)
    t.expect = expected_tile(a, b, bias, scale, t)
    return t


@cocotb.test()
async def test_single_tile_latency(dut):
    """N x N x N tile with operands already in the buffers: cycles from accept to last row."""
    rng = _rng(dut)
    tb = await CoreTB.create(dut, rng)
    n = tb.n
    t = await _load_tile(tb, rng, n, 0, 0, shift=16, flags=1, tag=7)
    await tb.idle(2)
    start = await tb.send(t)
    await tb.wait_rows(n, 1000)
    cycles = tb.rows[-1].cycle - start
    check_rows(tb.rows, [t], n)
    dut._log.info("N=%d: %dx%dx%d tile, accept -> last row: %d cycles", n, n, n, n, cycles)
    # Documented timing (docs/core.md): K + 2N + 5 with no back-pressure.
    assert cycles == n + 2 * n + 5, f"latency {cycles} != K + 2N + 5 = {3 * n + 5}"
    if n == 8:
        assert cycles <= 32
    record_tiles("test_single_tile_latency", tb.rows, [t], n, operands_in_buffers=True)


@cocotb.test()
async def test_loads_during_compute(dut):
    """Commands queued while the next tile's operands are written into the other buffer region
    (here from Python, so slower than the array; the full-rate measurement is
    tb/test_core_bulk.py)."""
    rng = _rng(dut)
    tb = await CoreTB.create(dut, rng)
    n, k, count = tb.n, 256, 6
    tiles = []
    first = await _load_tile(tb, rng, k, 0, 0, shift=20, tag=0)
    tiles.append(first)
    start = await tb.send(first)
    for i in range(1, count):
        region = (i % 2) * k
        t = await _load_tile(tb, rng, k, region, region, p_addr=i % 2, shift=20, tag=i)
        tiles.append(t)
        await tb.send(t)
    await tb.wait_rows(count * n, 20_000)
    check_rows(tb.rows, tiles, n)
    record_tiles("test_loads_during_compute", tb.rows, tiles, n)
    cycles = tb.rows[-1].cycle - start
    dut._log.info("N=%d: %d tiles K=%d: %d cycles", n, count, k, cycles)


@cocotb.test()
async def test_edge_values(dut):
    """-128/127 extremes, zeros, identity, saturation both ways, ReLU, int32 pass, K = 1."""
    rng = _rng(dut)
    tb = await CoreTB.create(dut, rng)
    n = tb.n
    cases = []
    ones = np.ones(n, dtype=np.int64)
    zeros = np.zeros(n, dtype=np.int64)
    specs = [
        # (a, b, bias, scale, shift, flags)
        (np.full((n, 64), -128), np.full((64, n), -128), zeros, ones, 0, 0),  # int32 max products
        (np.full((n, 64), -128), np.full((64, n), 127), zeros, ones, 0, 0),
        (np.full((n, 16), 127), np.full((16, n), 127), zeros, ones, 0, 1),  # saturate +
        (np.full((n, 16), -128), np.full((16, n), 127), zeros, ones, 0, 1),  # saturate -
        (np.full((n, 16), -128), np.full((16, n), 127), zeros, ones, 0, 3),  # ReLU
        (np.zeros((n, 8)), np.zeros((8, n)), rng.integers(-1000, 1000, n), ones, 0, 4),  # bias only
        (np.eye(n, dtype=np.int64) * 1, rng.integers(-128, 128, (n, n)), zeros, ones, 0, 1),  # identity
        (rng.integers(-128, 128, (n, 1)), rng.integers(-128, 128, (1, n)), zeros, ones, 0, 0),  # K = 1
        (
            rng.integers(-128, 128, (n, 32)),
            rng.integers(-128, 128, (32, n)),
            np.full(n, -(2**31)),
            np.full(n, -(2**31)),
            63,
            5,
        ),  # most negative bias and scale, shift 63
        (
            rng.integers(-128, 128, (n, 32)),
            rng.integers(-128, 128, (32, n)),
            rng.integers(-(2**31), 2**31, n),
            rng.integers(-(2**31), 2**31, n),
            31,
            7,
        ),
    ]
    base = 0
    for i, (a, b, bias, scale, shift, flags) in enumerate(specs):
        a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        k = a.shape[1]
        await tb.write_a(base, a)
        await tb.write_b(base, b)
        await tb.write_params(i, np.asarray(bias), np.asarray(scale))
        t = Tile(a_base=base, b_base=base, k=k, p_addr=i, shift=shift, flags=flags, tag=100 + i)
        t.expect = expected_tile(a, b, np.asarray(bias), np.asarray(scale), t)
        cases.append(t)
        base += k
    for t in cases:
        await tb.send(t)
    await tb.wait_rows(len(cases) * n, 5000)
    check_rows(tb.rows, cases, n)
    record_tiles("test_edge_values", tb.rows, cases, n, operands_in_buffers=True)


@cocotb.test()
async def test_long_k(dut):
    """K >= 512: one tile over 600 entries of the buffers."""
    rng = _rng(dut)
    tb = await CoreTB.create(dut, rng)
    t = await _load_tile(tb, rng, 600, 100, 300, shift=24, flags=1, tag=5)
    start = await tb.send(t)
    await tb.wait_rows(tb.n, 5000)
    check_rows(tb.rows, [t], tb.n)
    cycles = tb.rows[-1].cycle - start
    assert cycles == 600 + 2 * tb.n + 5
    record_tiles("test_long_k", tb.rows, [t], tb.n, operands_in_buffers=True)


@cocotb.test()
async def test_random_traffic_backpressure(dut):
    """Random K, flags, shift and params; res_ready random 40 % of cycles: no row lost,
    duplicated or reordered."""
    rng = _rng(dut)
    tb = await CoreTB.create(dut, rng)
    tb.ready_prob = 0.4
    n = tb.n
    tiles = []
    for i in range(12):
        k = int(rng.choice([1, 2, n - 1, n, n + 1, int(rng.integers(1, 64))]))
        region = (i % 4) * 64
        flags = int(rng.integers(0, 8))
        t = await _load_tile(
            tb, rng, k, region, region, p_addr=i % 4, shift=int(rng.integers(0, 40)), flags=flags, tag=i
        )
        tiles.append(t)
        await tb.send(t)
        if i % 4 == 3:  # do not overwrite regions still queued
            await tb.wait_rows((i + 1) * n, 10_000)
    await tb.wait_rows(len(tiles) * n, 10_000)
    await tb.idle(50)
    assert len(tb.rows) == len(tiles) * n, f"{len(tb.rows)} rows for {len(tiles)} tiles"
    check_rows(tb.rows, tiles, n)
    record_tiles("test_random_traffic_backpressure", tb.rows, tiles, n, stall_prob=0.6)


@cocotb.test()
async def test_bad_commands(dut):
    """Refused commands pulse err_valid with their code, produce no rows, and the next good
    command is still correct."""
    rng = _rng(dut)
    tb = await CoreTB.create(dut, rng)
    n = tb.n
    depth = int(dut.BUF_DEPTH.value)
    p_depth = int(dut.P_DEPTH.value)
    bad = [
        (Tile(a_base=0, b_base=0, k=0, tag=900), 1),
        (Tile(a_base=0, b_base=0, k=depth + 1, tag=901), 2),
        (Tile(a_base=depth - 4, b_base=0, k=8, tag=902), 3),
        (Tile(a_base=0, b_base=depth - 1, k=2, tag=903), 4),
        (Tile(a_base=0, b_base=0, k=4, p_addr=p_depth, tag=904), 5),
        (Tile(a_base=0, b_base=0, k=4, flags=32 | 1, tag=905), 6),
    ]
    good = await _load_tile(tb, rng, 5, 10, 20, p_addr=1, shift=8, flags=1, tag=1)
    for t, code in bad:
        tb.errors.clear()
        await tb.send(t)
        await tb.idle(3)
        assert [c for c, _ in tb.errors] == [code], f"tag {t.tag}: errors {tb.errors}, want [{code}]"
    await tb.send(good)
    await tb.wait_rows(n, 1000)
    await tb.idle(20)
    check_rows(tb.rows, [good], n)
    record_tiles("test_bad_commands", tb.rows, [good], n, operands_in_buffers=True)


@cocotb.test()
async def test_split_reduction(dut):
    """One output tile from several commands (no_emit ... acc_continue), chunks of any size at
    scattered buffer addresses, K in total larger than the buffers: equals the flat GEMM."""
    rng = _rng(dut)
    tb = await CoreTB.create(dut, rng)
    n = tb.n
    depth = int(dut.BUF_DEPTH.value)
    bias = rng.integers(-(2**20), 2**20, size=n)
    scale = rng.integers(1, 2**12, size=n)
    await tb.write_params(3, bias, scale)
    tiles = []
    for tag, chunks in enumerate([[50, 3, 200, 42], [1, 1], [depth - 24, 600]]):
        k_total = sum(chunks)
        a = rng.integers(-128, 128, size=(n, k_total))
        b = rng.integers(-128, 128, size=(k_total, n))
        k0 = 0
        for c, k in enumerate(chunks):
            base = int(rng.integers(0, depth - k + 1))
            await tb.write_a(base, a[:, k0 : k0 + k])
            await tb.write_b(base, b[k0 : k0 + k, :])
            flags = 1 | 4 | (8 if c > 0 else 0) | (16 if c < len(chunks) - 1 else 0)
            t = Tile(a_base=base, b_base=base, k=k, p_addr=3, shift=14, flags=flags, tag=tag)
            await tb.send(t)
            k0 += k
            # the next chunk may reuse these addresses: wait until the core has read them
            await tb.idle(max(k, n) + 2)
        t.expect = expected_tile(a, b, bias, scale, t)
        tiles.append(t)
    await tb.wait_rows(len(tiles) * n, 5000)
    await tb.idle(20)
    assert len(tb.rows) == len(tiles) * n, "a no_emit command produced rows"
    check_rows(tb.rows, tiles, n)


def _sources() -> list[str]:
    return [f"rtl/{m}.v" for m in ("pe", "systolic_array", "requant", "sdp_ram", "sync_fifo", "gemm_core")]


@pytest.mark.parametrize("array_n", [4, 8, 16])
def test_gemm_core_rtl(array_n: int) -> None:
    from tb.env.sim import run_cocotb

    run_cocotb(
        toplevel="gemm_core",
        sources=_sources(),
        test_module="tb.test_gemm_core",
        # P_DEPTH = 12 (not a power of two) so the "param address out of range" check is reachable
        parameters={"ARRAY_N": array_n, "P_DEPTH": 12},
        build_name=f"gemm_core_N{array_n}",
    )
