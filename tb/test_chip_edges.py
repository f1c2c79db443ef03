"""Directed whole-chip tests for the coverage bins random stimulus does not reach (plan:
docs/coverage_plan.md). They run in the same builds as tb/test_chip.py (its runner lists this
module in ``COCOTB_MODULES``); every GEMM that runs is checked bit for bit against the golden
model, every refused one for its error code.

* the boundary of every check: each operand range ending exactly at the memory limit (runs) and
  one past it (``ADDR_RANGE``), strides equal to their row (runs) and one beat short
  (``MISALIGNED``), K = KMAX (runs) and KMAX + 1, the largest register values of M, N and K;
* every FLAGS value, cycling the memory knobs through their bins;
* sparse maps with no zero block, a zero last column tile (int32, padded), all zero;
* descriptor chains of 1, 6 and 17 GEMMs;
* soft and hard reset in each controller phase (fetch, check, load, compute, store, abort);
* a write to an unmapped register (``BAD_REG_ADDR``);
* a stuck memory (the stall knob at 100 %: no read is ever answered) caught by the watchdog.
"""

from __future__ import annotations

import dataclasses
import time

import cocotb
from cocotb.triggers import ClockCycles, RisingEdge

from models.chip.regmap import REGMAP
from tb.env import coverage_model as fcov
from tb.env.chain import chain_descriptors, write_chain
from tb.env.chip_host import ChipHost, MemKnobs, WatchdogError, phase_names
from tb.env.chip_tb import FLAG_BIAS, FLAG_INT8, FLAG_PERCH, FLAG_RELU, FLAG_SPARSE, GemmCase, check_c
from tb.env.mem_model import mem_model

LAT = (1, 8, 20, 45)
STALL = (0, 10, 30, 60)
GAP = (0, 1, 3)


def spans(host: ChipHost, case: GemmCase, regs: dict) -> dict[str, int]:
    """Byte extent of each operand range as the controller computes it (rtl/gemm_controller.v)."""
    n, w = host.array_n, host.word
    ct, kb = -(-case.n // n), -(-case.k // n)
    elem = 1 if case.flags & FLAG_INT8 else 4
    map_bytes = -(-kb // 8)
    map_stride = -(-map_bytes // w) * w
    return {
        "a": (case.m - 1) * regs["r_lda"] + case.k,
        "b": (case.k - 1) * regs["r_ldb"] + case.n,
        "c": (case.m - 1) * regs["r_ldc"] + case.n * elem,
        "bias": (2 if case.flags & FLAG_PERCH else 1) * 4 * ct * n,
        "map": ct * map_stride,
    }


def move_to_end(host: ChipHost, mem, lay, case: GemmCase, op: str):
    """Copy operand ``op`` so that its range ends exactly at the memory limit; the new layout."""
    key = {"a": "r_a_addr", "b": "r_b_addr", "c": "r_c_addr", "bias": "r_bias_addr", "map": "r_map_addr"}[op]
    span = spans(host, case, lay.regs)[op]
    old, new = lay.regs[key], host.mem_bytes - span
    assert new % host.word == 0, f"{op}: span {span} is not whole beats"
    mem.data[new : new + span] = mem.data[old : old + span]
    regs = {**lay.regs, key: new}
    return dataclasses.replace(lay, regs=regs, c_addr=new if op == "c" else lay.c_addr)


@cocotb.test()
async def test_check_boundaries(dut):
    """Every check at its boundary: the GEMM just inside runs bit-exact, the one just outside is
    refused with its code."""
    host = ChipHost(dut)
    await host.reset()
    n, w = host.array_n, host.word
    flags = FLAG_INT8 | FLAG_BIAS | FLAG_PERCH | FLAG_SPARSE
    case = GemmCase(n + 1, 2 * w, 2 * w, flags, shift=9, sparsity=0.5, pad=1)
    for op in ("a", "b", "c", "bias", "map"):
        mem, lay = host.layout(case)
        lay = move_to_end(host, mem, lay, case, op)
        await host.gemm(case, "test_check_boundaries", prepared=(mem, lay))
        fcov.sample_check(f"{op}_end_at_limit")
        # one past the limit: one byte for the byte-granular rows (A, B, C: K or N one larger,
        # the strides have room), one beat for the vectors and the map (whole beats by design)
        regs = dict(lay.regs)
        if op == "a":
            regs["r_k"] = case.k + 1
        elif op in ("b", "c"):
            regs["r_n"] = case.n + 1
        else:
            key = "r_bias_addr" if op == "bias" else "r_map_addr"
            regs[key] += w
        await host.program(regs)
        await host.start()
        await host.expect_error("ADDR_RANGE")
        fcov.sample_check(f"{op}_end_past_limit")
    # strides equal to their rows (runs), one beat short (refused)
    flat = GemmCase(n + 3, 2 * w, 2 * w, FLAG_INT8, shift=7)
    mem, lay = host.layout(flat)
    assert (lay.regs["r_lda"], lay.regs["r_ldb"], lay.regs["r_ldc"]) == (flat.k, flat.n, flat.n), lay.regs
    await host.gemm(flat, "test_check_boundaries", prepared=(mem, lay))
    for s in ("a", "b", "c"):
        fcov.sample_check(f"ld{s}_eq_row")
        await host.program({**lay.regs, f"r_ld{s}": lay.regs[f"r_ld{s}"] - w})
        await host.start()
        await host.expect_error("MISALIGNED")
        fcov.sample_check(f"ld{s}_beat_short")
    # K = KMAX runs; KMAX + 1 and the largest register values are refused, nothing wraps
    kmax = host.kmax
    await host.gemm(GemmCase(n, n, kmax, FLAG_INT8 | FLAG_BIAS, shift=14), "test_check_boundaries")
    fcov.sample_check("k_eq_kmax")
    mem, lay = host.layout(GemmCase(n, n, n, FLAG_INT8))
    await host.load(mem)
    big = 0x10000
    for name, change, code in (
        ("k_kmax_plus1", {"r_k": kmax + 1, "r_lda": kmax + w}, "DIM_TOO_LARGE"),
        ("k_max_reg", {"r_k": 0xFFFF, "r_lda": big}, "DIM_TOO_LARGE"),
        ("m_max_reg", {"r_m": 0xFFFF}, "ADDR_RANGE"),
        ("n_max_reg", {"r_n": 0xFFFF, "r_ldb": big, "r_ldc": big}, "ADDR_RANGE"),
    ):
        await host.program({**lay.regs, **change})
        await host.start()
        await host.expect_error(code)
        fcov.sample_check(name)
    # a register offset with no register: SLVERR and BAD_REG_ADDR
    used = {REGMAP.offset(r.name) for r in REGMAP.registers}
    hole = next(a for a in range(0, 0x1000, 4) if a not in used)
    try:
        await host.axi.write(hole, 0x5A5A)
        refused = False
    except Exception:  # cocotb-bus raises AXIProtocolError on SLVERR
        refused = True
    assert refused, f"a write to unmapped offset {hole:#x} was accepted"
    await host.expect_error("BAD_REG_ADDR")
    await host.quiet()


@cocotb.test()
async def test_every_flag_value(dut):
    """All 32 FLAGS values on small odd shapes (int32 and int8, padded strides), the memory knobs
    stepping through every latency, stall and beat-gap bin; sparse maps with no zero block,
    partly zero, a zero last column tile (int32, padded) and all zero."""
    host = ChipHost(dut)
    await host.reset()
    n = host.array_n
    for f in range(32):
        host.set_knobs(MemKnobs(LAT[f % 4], LAT[(f // 4) % 4], STALL[(f // 2) % 4], GAP[f % 3]))
        case = GemmCase(
            n + 2, 2 * n + 1, 3 * n - 1, f, shift=10 if f & FLAG_INT8 else 1, sparsity=0.5, pad=f % 2
        )
        await host.gemm(case, "test_every_flag_value", overlap=bool(f % 5))
    host.set_knobs(MemKnobs())
    for sparsity, flags, pad in ((0.0, FLAG_INT8, 0), (1.0, FLAG_BIAS | FLAG_RELU, 1), (0.6, FLAG_INT8, 0)):
        case = GemmCase(2 * n, 3 * n, 4 * n, flags | FLAG_SPARSE, shift=2, sparsity=sparsity, pad=pad)
        await host.gemm(case, "test_every_flag_value")
    await host.quiet()


@cocotb.test()
async def test_chain_lengths(dut):
    """Descriptor chains of 1, 6 and 17 small GEMMs: one START, one interrupt, every C exact."""
    host = ChipHost(dut)
    await host.reset()
    for length in (1, 6, 17):
        r = host.rng
        cases = [
            GemmCase(1 + i % 5, 2 + i % 7, 1 + i % 9, int(r.integers(0, 16)), shift=int(r.integers(0, 8)))
            for i in range(length)
        ]
        mem = host.new_image()
        lays = [host.layout(c, mem)[1] for c in cases]
        descs = chain_descriptors(mem, lays)
        counters, predicted = await host.run_chain(mem, cases, lays, descs, f"chain of {length} GEMMs")
        total = counters["total"]  # the chain model is exact on either memory
        assert total == predicted, f"chain of {length}: {total} cycles, cycle model {predicted}"
        for c, lay in zip(cases, lays, strict=True):
            check_c(mem, lay, c)
        fcov.sample_chain(length)
    await host.quiet()


async def _until(host: ChipHost, phase: str, limit: int = 20_000) -> None:
    """Wait (cycle by cycle) until the controller is in ``phase``."""
    for _ in range(limit):
        await RisingEdge(host.dut.clk)
        if phase in phase_names(int(host.dut.phase.value)):
            return
    raise AssertionError(f"the controller never reached phase {phase} within {limit} cycles")


async def _start_job(host: ChipHost, phase: str) -> None:
    """Start a job that passes through ``phase``: a chain for fetch and check, a large GEMM for
    the run phases (serial for load, so the loader works alone at first)."""
    n = host.array_n
    mem = host.new_image()
    big = GemmCase(6 * n, 6 * n, 8 * n, FLAG_INT8 | FLAG_BIAS, shift=12)
    lays = [host.layout(big, mem)[1], host.layout(big, mem)[1]]
    if phase in ("fetch", "check"):
        first = write_chain(mem, lays)
        await host.load(mem)
        assert await host.write("CHAIN_ADDR", first)
        await host.start(chain=True)
    else:
        await host.load(mem)
        await host.program(lays[0].regs)
        await host.start(overlap=phase != "load")


async def _recovered(host: ChipHost) -> None:
    """After a reset: idle, no open AXI transaction, and the next GEMM bit-exact."""
    st = await host.wait_idle(100_000)
    assert st["busy"] == 0, st
    await host.clear_status()
    await host.quiet()
    n = host.array_n
    await host.gemm(GemmCase(n + 1, n + 2, 2 * n + 3, FLAG_INT8 | FLAG_RELU, shift=7), "test_reset_phases")


@cocotb.test()
async def test_reset_in_every_phase(dut):
    """Soft reset (CTRL.soft_reset) and hard reset in each controller phase; the phase a soft
    reset hit is the one the harness latched when the pulse reached the controller."""
    host = ChipHost(dut)
    await host.reset(MemKnobs(rd_latency=40, wr_latency=40))
    slow = MemKnobs(rd_latency=40, wr_latency=40)
    for phase in fcov.PHASES:
        # soft: a few attempts (the register write takes some cycles; check lasts three)
        hit: set[str] = set()
        for attempt in range(60):
            await _start_job(host, phase)
            if phase == "check":
                await ClockCycles(dut.clk, attempt)  # sweep the write over the check window
            elif phase == "abort":
                await _until(host, "load")
                await host.soft_reset()  # into abort; the second one lands there
            else:
                await _until(host, phase)
            hit = await host.soft_reset()
            await _recovered(host)
            if phase in hit:
                break
        assert phase in hit, f"no soft reset landed in phase {phase} (last hit {sorted(hit)})"
        # hard: the testbench drives rst in the cycle the phase is seen
        await _start_job(host, phase)
        if phase == "abort":
            await _until(host, "load")
            await host.soft_reset()
        await _until(host, phase)
        await host.reset(slow)
        st = await host.status()
        assert st["busy"] == 0 and st["done"] == 0 and st["error"] == 0, f"after hard reset: {st}"
        await _recovered(host)
    await host.quiet()


# the DRAM timing model has no stall knob (tb/hdl/dram_model.v ignores cfg_stall_pct): under
# MEM=dram this test is reported as skipped, the watchdog is proven on the ideal memory
@cocotb.test(skip=mem_model() != "ideal")
async def test_watchdog_stuck_memory(dut):
    """A memory that never answers (stall knob 100 %: ARREADY never rises) hangs the chip: the
    watchdog from the cycle model fails the wait within its bound, naming the GEMM, the
    predicted and the elapsed cycles and the replay seed; after a hard reset the chip works."""
    host = ChipHost(dut)
    await host.reset()
    n = host.array_n
    case = GemmCase(2 * n, 2 * n, 4 * n, FLAG_INT8 | FLAG_BIAS, shift=12)  # small: the bound is short
    host.set_knobs(MemKnobs(stall_pct=100))
    t0 = time.monotonic()
    try:
        await host.gemm(case, "test_watchdog_stuck_memory")
    except WatchdogError as e:
        msg = str(e)
    else:
        raise AssertionError("the GEMM finished against a memory that never answers")
    wall = time.monotonic() - t0
    dut._log.info("watchdog fired after %.2f s of wall time: %s", wall, msg)
    for part in ("WATCHDOG", f"GEMM {case}", "predicted", "no interrupt after", "replay: SEED="):
        assert part in msg, f"watchdog message lacks {part!r}: {msg}"
    _, lay = host.last_gemm
    predicted = host.predict(case, lay)
    assert f"predicted {predicted}" in msg and f"bound {host.watchdog(predicted)}" in msg, msg
    await host.reset()
    await host.gemm(case, "test_watchdog_stuck_memory")
    await host.quiet()
