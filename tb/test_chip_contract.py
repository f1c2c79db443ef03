"""(Over 400 lines on purpose: one cocotb test per contract point of docs/host_guide.md, kept in
one file so the contract and its tests read side by side; the tb/ move left the testbenches whole.)

The host contract of the whole chip (docs/host_guide.md, docs/registers.md), one test per
point, through the registers only as a driver sees the chip: what HWCFG / LIMITS / MEM_BYTES
report and that the chip enforces exactly that, chain descriptor alignment and address range,
the chain length limit, where the scale vector lies, STATUS.done after an error, which bias range
the overlap check counts, what PERF_BYTES_WR and PERF_TILES count, and the conditions of the
documented 8x8x8 cycle figure. Every C is compared with models/chip/golden.py bit for bit and every
byte outside the C's that may be written is checked unchanged.

The builds use a small CHAIN_MAX so that a chain one past the limit, one at the limit and a
self-pointing NEXT run in a few thousand cycles; the register reports the build's value.
"""

from __future__ import annotations

import re

import cocotb
import numpy as np
import pytest

from models.chip.host_layout import scale_offset, vector_bytes
from models.chip.regmap import REGMAP
from models.cycle.cycle_engine import engine_cycles
from models.cycle.cycle_model import chain_cycles
from tb.env.chain import descriptor_words, write_chain
from tb.env.chip_host import ChipHost, MemKnobs
from tb.env.chip_tb import (
    FLAG_BIAS,
    FLAG_INT8,
    FLAG_PERCH,
    FLAG_RELU,
    FLAG_SPARSE,
    GemmCase,
    GemmLayout,
    check_c,
    place,
    zero_blocks,
)
from tb.env.mem_image import MemImage
from tb.env.sim import REPO

CHAIN_MAX_TEST = 5  # the contract builds' CHAIN_MAX (the chip's default is in rtl/csai_chip.v)


async def hw(host: ChipHost) -> dict[str, int]:
    """The build facts a driver reads: HWCFG, LIMITS, MEM_BYTES."""
    out = REGMAP.decode("HWCFG", await host.read("HWCFG"))
    out |= REGMAP.decode("LIMITS", await host.read("LIMITS"))
    out["mem_bytes"] = REGMAP.decode("MEM_BYTES", await host.read("MEM_BYTES"))["bytes"]
    return out


def fill_c(host: ChipHost, mem: MemImage, lay: GemmLayout, case: GemmCase) -> None:
    """Random bytes over C's rows, so that a result the chip never wrote cannot pass."""
    elem = 1 if case.flags & FLAG_INT8 else 4
    end = lay.c_addr + (case.m - 1) * lay.ldc + case.n * elem
    mem.data[lay.c_addr : end] = host.rng.integers(0, 256, end - lay.c_addr, dtype=np.uint8)


async def run_regs(host: ChipHost, mem: MemImage, regs: dict, timeout: int = 400_000) -> dict[str, int]:
    """Load memory, program the descriptor registers, START, wait for the interrupt; the status
    (not cleared) and the dumped memory."""
    await host.load(mem)
    await host.program(regs)
    await host.start()
    await host.wait_irq(timeout)
    st = await host.wait_idle()
    await host.dump(mem)
    return st


async def run_chain(host: ChipHost, mem: MemImage, first: int, timeout: int = 400_000) -> dict[str, int]:
    """One START of the chain at ``first``; the status once idle (not cleared), memory dumped."""
    await host.load(mem)
    assert await host.write("CHAIN_ADDR", first)
    await host.start(chain=True)
    await host.wait_irq(timeout)
    st = await host.wait_idle()
    await host.dump(mem)
    return st


def expect(st: dict[str, int], code: str, done: int = 0) -> None:
    want = REGMAP.error_code(code)
    got = REGMAP.error_name(st["error_code"])
    assert st["error_code"] == want and st["error"] == int(code != "NONE"), f"want {code}, got {got}: {st}"
    assert st["done"] == done, f"{code}: STATUS.done = {st['done']}, the contract says {done}"


def small_cases(host: ChipHost, count: int) -> list[GemmCase]:
    r, n = host.rng, host.array_n
    return [
        GemmCase(int(r.integers(1, 2 * n)), int(r.integers(1, 2 * n)), int(r.integers(1, 3 * n)),
                 FLAG_INT8 | FLAG_BIAS, shift=int(r.integers(4, 12)))
        for _ in range(count)
    ]  # fmt: skip


def layouts(host: ChipHost, mem: MemImage, cases: list[GemmCase]) -> list[GemmLayout]:
    return [host.layout(c, mem)[1] for c in cases]


def c_union(host: ChipHost, mem: MemImage, pairs) -> np.ndarray:
    mask = np.zeros(mem.size, dtype=bool)
    for lay, case in pairs:
        mask |= host.c_mask(mem, lay, case)
    return mask


def put_desc(mem: MemImage, addr: int, lay: GemmLayout, next_addr: int) -> None:
    mem.data[addr : addr + 64] = descriptor_words(lay.regs, next_addr).view(np.uint8)


def chain_model(host: ChipHost, pairs) -> int:
    """PERF_CYCLES of a chain by the validated cycle model (memory latency 20, no stalls)."""
    n = host.array_n
    totals = [
        engine_cycles(
            c.m, c.n, c.k, array_n=n, bus_w_bytes=host.word, read_latency=20, write_latency=20,
            flags=c.flags, c_addr=lay.c_addr, ldc=lay.ldc,
            zero_blocks={tuple(map(int, z)) for z in np.argwhere(zero_blocks(lay.b, n))},
        )["total"]
        for lay, c in pairs
    ]  # fmt: skip
    return chain_cycles(totals, bus_w_bytes=host.word, read_latency=20)


def tiles_of(case: GemmCase, array_n: int) -> int:
    return -(-case.m // array_n) * -(-case.n // array_n)


# ----------------------------------------------------------------------------------------------
@cocotb.test()
async def test_hw_limits_readable(dut):
    """HWCFG / LIMITS / MEM_BYTES report the build, and the chip enforces exactly those values:
    K = kmax runs and K = kmax + 1 is DIM_TOO_LARGE; a C ending at MEM_BYTES runs, one bus word
    further is ADDR_RANGE."""
    host = ChipHost(dut)
    await host.reset()
    h = await hw(host)
    dut._log.info("driver view: %s", h)
    build = {
        "array_n": host.array_n, "bus_bytes": host.word, "a_panels": int(dut.A_PANELS.value),
        "kmax": int(dut.KMAX.value), "chain_max": int(dut.CHAIN_MAX.value), "mem_bytes": host.mem_bytes,
    }  # fmt: skip
    assert h == build, f"registers {h} != build {build}"

    case = GemmCase(2, 3, h["kmax"], FLAG_INT8 | FLAG_BIAS, shift=14)
    await host.gemm(case, "test_hw_limits_readable")
    mem, lay = host.layout(case)
    lda = -(-(h["kmax"] + 1) // host.word) * host.word
    st = await run_regs(host, mem, {**lay.regs, "r_k": h["kmax"] + 1, "r_lda": lda})
    expect(st, "DIM_TOO_LARGE")
    await host.clear_status()

    # C's last byte is the last byte below MEM_BYTES
    case = GemmCase(3, host.word, 5, FLAG_INT8, shift=5)
    mem, lay = host.layout(case)
    span = (case.m - 1) * lay.ldc + case.n
    lay.c_addr = h["mem_bytes"] - span
    assert lay.c_addr % host.word == 0
    fill_c(host, mem, lay, case)
    before = mem.data.copy()
    st = await run_regs(host, mem, {**lay.regs, "r_c_addr": lay.c_addr})
    expect(st, "NONE", done=1)
    check_c(mem, lay, case)
    host.assert_untouched(before, mem, host.c_mask(mem, lay, case), "C at the end of memory")
    await host.clear_status()
    st = await run_regs(host, mem, {**lay.regs, "r_c_addr": lay.c_addr + host.word})
    expect(st, "ADDR_RANGE")
    await host.clear_status()
    await host.quiet()


@cocotb.test()
async def test_chain_descriptor_alignment(dut):
    """A descriptor must be 64-byte aligned: a CHAIN_ADDR or a NEXT that is bus-aligned but not
    64-byte aligned (with a valid descriptor really there) is refused with BAD_CHAIN. A bad
    CHAIN_ADDR runs nothing; a bad NEXT stops the chain after its GEMM, whose C is written."""
    host = ChipHost(dut)
    await host.reset()
    w = host.word
    for off in sorted({w, 32, 64 - w} - {0, 64}):
        # misaligned CHAIN_ADDR
        mem = host.new_image()
        cases = small_cases(host, 2)
        lays = layouts(host, mem, cases)
        base = mem.alloc(128, align=64)
        put_desc(mem, base + off, lays[0], 0)
        before = mem.data.copy()
        st = await run_chain(host, mem, base + off)
        expect(st, "BAD_CHAIN")
        host.assert_untouched(before, mem, np.zeros(mem.size, dtype=bool), f"CHAIN_ADDR +{off}")
        await host.clear_status()
        # misaligned NEXT
        first = mem.alloc(64, align=64)
        put_desc(mem, first, lays[0], base + off)
        put_desc(mem, base + off, lays[1], 0)
        before = mem.data.copy()
        st = await run_chain(host, mem, first)
        expect(st, "BAD_CHAIN")
        check_c(mem, lays[0], cases[0])
        host.assert_untouched(before, mem, host.c_mask(mem, lays[0], cases[0]), f"NEXT +{off}")
        await host.clear_status()
        dut._log.info("CHAIN_ADDR and NEXT 64*i + %d: BAD_CHAIN", off)
    await host.quiet()


@cocotb.test()
async def test_chain_address_range(dut):
    """CHAIN_ADDR 0, or at or beyond MEM_BYTES (64-byte aligned): BAD_CHAIN with nothing run; a
    NEXT at or beyond MEM_BYTES: BAD_CHAIN after its GEMM. A descriptor in the
    last 64 bytes below MEM_BYTES runs."""
    host = ChipHost(dut)
    await host.reset()
    end = host.mem_bytes
    for addr in (0, end, end + 64, 0xFFFF_FFC0):
        mem = host.new_image()
        st = await run_chain(host, mem, addr)
        expect(st, "BAD_CHAIN")
        await host.clear_status()
    # the last 64 bytes of memory hold a good descriptor: it runs
    mem = host.new_image()
    cases = small_cases(host, 2)
    lays = layouts(host, mem, cases)
    put_desc(mem, end - 64, lays[0], 0)
    st = await run_chain(host, mem, end - 64)
    expect(st, "NONE", done=1)
    check_c(mem, lays[0], cases[0])
    await host.clear_status()
    # a NEXT at MEM_BYTES or beyond
    for nxt in (end, 0xFFFF_FFC0):
        mem = host.new_image()
        lays = layouts(host, mem, cases)
        first = mem.alloc(64, align=64)
        put_desc(mem, first, lays[0], nxt)
        st = await run_chain(host, mem, first)
        expect(st, "BAD_CHAIN")
        check_c(mem, lays[0], cases[0])
        await host.clear_status()
    await host.quiet()


@cocotb.test()
async def test_chain_length_limit(dut):
    """LIMITS.chain_max descriptors run from one START; a chain one longer, and a descriptor whose
    NEXT points to itself, stop with BAD_CHAIN after exactly chain_max GEMMs (each C written).
    The limit costs no cycle: the chain at the limit takes what the cycle model predicts."""
    host = ChipHost(dut)
    await host.reset()
    limit = (await hw(host))["chain_max"]
    assert 1 <= limit <= 16, f"this test wants a small CHAIN_MAX build, got {limit}"
    n = host.array_n

    # exactly at the limit
    mem = host.new_image()
    cases = small_cases(host, limit + 1)
    lays = layouts(host, mem, cases)
    pairs = list(zip(lays, cases, strict=True))
    first = write_chain(mem, lays[:limit])
    before = mem.data.copy()
    st = await run_chain(host, mem, first)
    counters = await host.counters()
    expect(st, "NONE", done=1)
    for lay, c in pairs[:limit]:
        check_c(mem, lay, c)
    host.assert_untouched(before, mem, c_union(host, mem, pairs[:limit]), "chain at the limit")
    predicted = chain_model(host, pairs[:limit])
    assert counters["total"] == predicted, f"chain of {limit}: {counters['total']} cycles, model {predicted}"
    await host.clear_status()

    # one past the limit
    mem = host.new_image()
    lays = layouts(host, mem, cases)
    pairs = list(zip(lays, cases, strict=True))
    first = write_chain(mem, lays)
    before = mem.data.copy()
    st = await run_chain(host, mem, first)
    counters = await host.counters()
    expect(st, "BAD_CHAIN")
    for lay, c in pairs[:limit]:
        check_c(mem, lay, c)
    host.assert_untouched(before, mem, c_union(host, mem, pairs[:limit]), "chain past the limit")
    assert counters["tiles"] == sum(tiles_of(c, n) for c in cases[:limit]), counters
    await host.clear_status()

    # a self-pointing NEXT
    mem = host.new_image()
    case = GemmCase(n + 1, n + 2, 2 * n, FLAG_INT8 | FLAG_RELU | FLAG_BIAS, shift=9)
    lay = host.layout(case, mem)[1]
    addr = mem.alloc(64, align=64)
    put_desc(mem, addr, lay, addr)
    before = mem.data.copy()
    st = await run_chain(host, mem, addr, timeout=limit * 20_000)
    counters = await host.counters()
    expect(st, "BAD_CHAIN")
    check_c(mem, lay, case)
    host.assert_untouched(before, mem, host.c_mask(mem, lay, case), "self loop")
    assert counters["tiles"] == limit * tiles_of(case, n), f"self loop ran {counters['tiles']} tiles"
    dut._log.info(
        "chain_max %d: at the limit %d cycles (model), past it and self loop BAD_CHAIN", limit, predicted
    )
    await host.clear_status()
    await host.quiet()


@cocotb.test()
async def test_scale_vector_position(dut):
    """The scale vector lies at BIAS_ADDR + 4 * array_n * ceil(N / array_n), for N not a multiple
    of array_n (nor of 8). The padding lanes hold random bytes: a chip that read the scale at
    BIAS_ADDR + roundup(4N, bus_bytes) or + 4*ceil(N/8)*8 would use them or shifted lanes."""
    host = ChipHost(dut)
    await host.reset()
    n_arr = host.array_n
    for n in sorted({n_arr + 1, 2 * n_arr + 1, 5, 9, 13}):
        for flags in (FLAG_INT8 | FLAG_PERCH | FLAG_BIAS, FLAG_INT8 | FLAG_PERCH | FLAG_RELU):
            case = GemmCase(n_arr + 3, n, 2 * n_arr + 1, flags, shift=15)
            mem = host.new_image()
            r = host.rng
            a = r.integers(-128, 128, size=(case.m, case.k))
            b = r.integers(-128, 128, size=(case.k, n))
            bias = r.integers(-(2**20), 2**20, size=n)
            scale = r.integers(-(2**15), 2**15, size=n)  # distinct per column, signed
            lay = place(mem, a, b, bias, scale, case, n_arr)
            fill_c(host, mem, lay, case)
            ba = lay.regs["r_bias_addr"]
            vec = vector_bytes(n, n_arr)
            for lo in (ba + 4 * n, ba + scale_offset(n, n_arr) + 4 * n):  # padding lanes
                mem.data[lo : lo + vec - 4 * n] = r.integers(0, 256, vec - 4 * n, dtype=np.uint8)
            before = mem.data.copy()
            st = await run_regs(host, mem, lay.regs)
            expect(st, "NONE", done=1)
            check_c(mem, lay, case)
            host.assert_untouched(before, mem, host.c_mask(mem, lay, case), str(case))
            await host.clear_status()
        others = {-(-4 * n // host.word) * host.word, 4 * -(-n // 8) * 8} - {scale_offset(n, n_arr)}
        dut._log.info(
            "N=%d: scale at +%d (the other formulas: %s)", n, scale_offset(n, n_arr), sorted(others)
        )
    await host.quiet()


@cocotb.test()
async def test_done_after_error(dut):
    """STATUS.done is set only by a run that finished: a refused descriptor, a BAD_CHAIN after a
    finished GEMM of the chain and an AXI error leave done 0 (error and the interrupt rise); a
    START while busy is an error of the start only: the run goes on and sets done too."""
    host = ChipHost(dut)
    await host.reset()
    n = host.array_n
    case = GemmCase(2 * n, 2 * n, 3 * n, FLAG_INT8 | FLAG_BIAS, shift=11)
    mem, lay = host.layout(case)
    # refused at the check
    st = await run_regs(host, mem, {**lay.regs, "r_n": 0})
    expect(st, "ZERO_DIM")
    await host.clear_status()
    # done of the previous run is cleared by the next accepted start, even if that one fails
    mem, lay = host.layout(case)
    await host.load(mem)
    await host.program(lay.regs)
    await host.start()
    await host.wait_irq(200_000)
    assert (await host.status())["done"] == 1
    st = await run_regs(host, mem, {**lay.regs, "r_lda": 1})
    expect(st, "MISALIGNED")
    await host.clear_status()
    # BAD_CHAIN after the first GEMM of a chain ran
    mem = host.new_image()
    lays = layouts(host, mem, [case, case])
    first = write_chain(mem, lays)
    mem.data[first + 64 + 60 : first + 128] = 1  # the second descriptor's reserved word
    st = await run_chain(host, mem, first)
    expect(st, "BAD_CHAIN")
    check_c(mem, lays[0], case)
    await host.clear_status()
    # AXI read error
    mem, lay = host.layout(case)
    host.set_knobs(MemKnobs(err_lo=lay.regs["r_b_addr"], err_hi=lay.regs["r_b_addr"] + host.word))
    st = await run_regs(host, mem, lay.regs)
    expect(st, "AXI_READ_ERROR")
    await host.clear_status()
    host.set_knobs(MemKnobs())
    # START while busy
    mem, lay = host.layout(case)
    await host.load(mem)
    await host.program(lay.regs)
    await host.start()
    await host.start()
    st = await host.wait_idle(200_000)
    expect(st, "START_WHILE_BUSY", done=1)
    await host.dump(mem)
    check_c(mem, lay, case)
    await host.clear_status()
    await host.quiet()


@cocotb.test()
async def test_busy_falls_with_status(dut):
    """The first STATUS read with busy 0 already shows how the run ended (done or error): busy may
    not fall a cycle before the sticky bit rises. STATUS is polled back to back from START, the
    polling started 0..7 cycles late so that the reads' phase covers every cycle of the end; for a
    run that completes and for a descriptor refused by the checks."""
    from cocotb.triggers import ClockCycles

    host = ChipHost(dut)
    await host.reset()
    case = small_cases(host, 1)[0]
    for refused, regs_of in ((False, lambda lay: lay.regs), (True, lambda lay: {**lay.regs, "r_lda": 1})):
        for late in range(8):
            mem, lay = host.layout(case)
            await host.load(mem)
            await host.program(regs_of(lay))
            await host.start()
            await ClockCycles(dut.clk, late)
            for _ in range(100_000):
                st = await host.status()
                if not st["busy"]:
                    break
            assert st["done"] + st["error"] == 1, f"busy fell before done/error (late {late}): {st}"
            expect(st, "MISALIGNED" if refused else "NONE", done=int(not refused))
            if not refused:
                await host.dump(mem)
                check_c(mem, lay, case)
            await host.clear_status()
    await host.quiet()


@cocotb.test()
async def test_bias_range_overlap(dut):
    """Which bias/scale range the checks count: none without bias_en and per_channel_scale
    (BIAS_ADDR may then be anything, even C or misaligned); with bias_en only the padded bias
    vector (the scale slot after it may be C); with per_channel_scale both slots, the bias slot
    also when bias_en is 0 (the chip reads it). The padding lanes count."""
    host = ChipHost(dut)
    await host.reset()
    n = host.array_n
    nn = 2 * n + 1
    vec = vector_bytes(nn, n)
    pad_at = -(-4 * nn // host.word) * host.word  # first bus word of the bias padding
    assert pad_at < vec

    async def runs(case: GemmCase, change) -> None:
        mem, lay = host.layout(case)
        regs = change(lay)
        lay.c_addr = regs["r_c_addr"]
        fill_c(host, mem, lay, case)
        before = mem.data.copy()
        st = await run_regs(host, mem, regs)
        expect(st, "NONE", done=1)
        check_c(mem, lay, case)
        host.assert_untouched(before, mem, host.c_mask(mem, lay, case), str(case))
        await host.clear_status()

    async def refused(case: GemmCase, change, code: str) -> None:
        mem, lay = host.layout(case)
        st = await run_regs(host, mem, change(lay))
        expect(st, code)
        await host.clear_status()

    plain = GemmCase(5, nn, 9, FLAG_INT8, shift=6)
    await runs(plain, lambda lay: {**lay.regs, "r_bias_addr": lay.c_addr})
    await runs(plain, lambda lay: {**lay.regs, "r_bias_addr": lay.c_addr + 1})
    biased = GemmCase(5, nn, 9, FLAG_INT8 | FLAG_BIAS, shift=6)
    # C where the scale slot would be: unused without per_channel_scale
    await runs(biased, lambda lay: {**lay.regs, "r_c_addr": lay.regs["r_bias_addr"] + vec})
    await refused(biased, lambda lay: {**lay.regs, "r_c_addr": lay.regs["r_bias_addr"] + pad_at}, "OVERLAP")
    perch = GemmCase(1, nn, 9, FLAG_INT8 | FLAG_PERCH, shift=6)  # C fits inside the bias slot
    await refused(perch, lambda lay: {**lay.regs, "r_c_addr": lay.regs["r_bias_addr"]}, "OVERLAP")
    await refused(perch, lambda lay: {**lay.regs, "r_bias_addr": lay.regs["r_bias_addr"] + 4}, "MISALIGNED")
    await host.quiet()


@cocotb.test()
async def test_perf_counter_meaning(dut):
    """PERF_BYTES_WR counts the strobed bytes of C (M*N or 4*M*N), not whole beats; PERF_BYTES_RD
    counts whole beats (bus_bytes each). PERF_TILES counts every output tile, also of a sparse
    GEMM and of a column tile whose B blocks are all zero; PERF_TILES_SKIPPED counts the zero B
    blocks once per row block of a_panels * array_n rows."""
    host = ChipHost(dut)
    await host.reset()
    n, w = host.array_n, host.word
    for flags in (FLAG_INT8, 0):
        case = GemmCase(3, 5, 7, flags | FLAG_BIAS, shift=4, pad=1)
        cnt = await host.gemm(case, "test_perf_counter_meaning")
        lay = host.last_gemm[1]
        elem = 1 if flags & FLAG_INT8 else 4
        assert cnt["bytes_wr"] == case.m * case.n * elem, cnt
        model = engine_cycles(case.m, case.n, case.k, array_n=n, bus_w_bytes=w, flags=case.flags,
                              c_addr=lay.c_addr, ldc=lay.ldc)  # fmt: skip
        assert cnt["bytes_rd"] == model["bytes_rd"] and cnt["bytes_rd"] % w == 0, (cnt, model)

    a_panels = (await hw(host))["a_panels"]
    case = GemmCase(
        a_panels * n + 1, 2 * n, 3 * n, FLAG_INT8 | FLAG_BIAS | FLAG_SPARSE, shift=8, sparsity=0.5
    )
    r = host.rng
    a = r.integers(-128, 128, size=(case.m, case.k))
    b = r.integers(-128, 128, size=(case.k, case.n))
    b[:, n:] = 0  # column tile 1: every block zero (its C columns are the bias only)
    b[n : 2 * n, :n] = 0  # column tile 0: k-block 1 zero
    mem = host.new_image()
    lay = place(mem, a, b, r.integers(-999, 999, size=case.n), np.array([7]), case, n)
    fill_c(host, mem, lay, case)
    before = mem.data.copy()
    st = await run_regs(host, mem, lay.regs)
    expect(st, "NONE", done=1)
    cnt = await host.counters()
    check_c(mem, lay, case)
    host.assert_untouched(before, mem, host.c_mask(mem, lay, case), str(case))
    row_blocks = -(-case.m // (a_panels * n))
    assert cnt["tiles"] == tiles_of(case, n) == 2 * (a_panels + 1), cnt
    assert cnt["skipped"] == 4 * row_blocks == 8, cnt
    await host.clear_status()
    await host.quiet()


@cocotb.test()
async def test_8x8x8_figure_conditions(dut):
    """The README / docs/chip_performance.md 8x8x8 figure: FLAGS = out_int8 | bias_en (per-tensor
    SCALE, no ReLU, dense), CTRL.overlap_enable = 1, memory latency 20 / 20, no stalls. On the
    ARRAY_N = 8, BUS_W = 64 build the RTL's PERF_CYCLES equals the figure in the docs; on every
    build it equals the cycle model."""
    host = ChipHost(dut)
    await host.reset(MemKnobs(rd_latency=20, wr_latency=20))
    n, w = host.array_n, host.word
    case = GemmCase(n, n, n, FLAG_INT8 | FLAG_BIAS, shift=12)
    cnt = await host.gemm(case, "test_8x8x8_figure_conditions")
    lay = host.last_gemm[1]
    model = engine_cycles(n, n, n, array_n=n, bus_w_bytes=w, flags=case.flags, c_addr=lay.c_addr, ldc=lay.ldc)
    assert cnt["total"] == model["total"], (cnt, model)
    if (n, w) == (8, 8):
        text = (REPO / "docs" / "chip_performance.md").read_text()
        row = re.search(r"^\| gemm_8x8x8 \| 8 x 8 x 8 \| on \| ([\d,]+) \|", text, re.M)
        assert row, "docs/chip_performance.md has no gemm_8x8x8 row"
        assert cnt["total"] == int(row.group(1).replace(",", "")), f"RTL {cnt['total']}, docs {row.group(1)}"
    await host.quiet()


@cocotb.test()
async def test_chain_fast_memory(dut):
    """A chain with a 1-cycle memory: a descriptor's NEXT word can come back before the last
    request of that descriptor's fetch has gone out; the fetch must still read one descriptor."""
    host = ChipHost(dut)
    await host.reset()
    for knobs in (MemKnobs(1, 1), MemKnobs(1, 1, stall_pct=60), MemKnobs(2, 1, stall_pct=30, beat_gap=1)):
        host.set_knobs(knobs)
        mem = host.new_image()
        cases = small_cases(host, 4)
        lays = layouts(host, mem, cases)
        pairs = list(zip(lays, cases, strict=True))
        first = write_chain(mem, lays)
        before = mem.data.copy()
        st = await run_chain(host, mem, first)
        expect(st, "NONE", done=1)
        for lay, c in pairs:
            check_c(mem, lay, c)
        host.assert_untouched(before, mem, c_union(host, mem, pairs), f"chain, memory {knobs}")
        await host.clear_status()
    await host.quiet()


@pytest.mark.parametrize(("array_n", "bus_w"), [(8, 64), (4, 64), (8, 128)])
def test_chip_contract_rtl(array_n: int, bus_w: int) -> None:
    from tb.env.sim import CHIP_SOURCES, run_cocotb

    run_cocotb(
        "chip_harness",
        CHIP_SOURCES,
        "tb.test_chip_contract",
        {"ARRAY_N": array_n, "BUS_W": bus_w, "KMAX": 512, "CHAIN_MAX": CHAIN_MAX_TEST},
        f"chip_contract_N{array_n}_W{bus_w}",
    )
