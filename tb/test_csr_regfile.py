"""cocotb tests of rtl/csr_regfile.v (through tb/hdl/csr_harness.v) against rtl/regmap.json.

Every expectation (offsets, reset values, access types, masks, error codes) comes from the
register model ``models.chip.regmap.REGMAP``, which reads the JSON: a register added to the JSON but
not to the RTL (or the other way round) fails here. Register accesses use cocotb-bus's
AXI4LiteMaster; the B/R back-pressure test drives the bus by hand. An AXI4-Lite protocol checker
watches the bus in every test.
"""

from __future__ import annotations

import cocotb
import numpy as np
import pytest
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge
from cocotb_bus.drivers.amba import AXI4LiteMaster, AXI4Master, AXIProtocolError, AXIxRESP

from models.chip.regmap import REGMAP
from tb.env.seeds import log_seed

OKAY, SLVERR = int(AXIxRESP.OKAY), int(AXIxRESP.SLVERR)
PERF_INPUTS = {
    "PERF_CYCLES": "perf_cycles",
    "PERF_COMPUTE": "perf_compute",
    "PERF_STALL": "perf_stall",
    "PERF_BYTES_RD": "perf_bytes_rd",
    "PERF_BYTES_WR": "perf_bytes_wr",
    "PERF_TILES": "perf_tiles",
    "PERF_TILES_SKIPPED": "perf_tiles_skipped",
}
# descriptor register -> harness output carrying it
DESC_OUTPUTS = {
    "A_ADDR": "desc_a_addr", "B_ADDR": "desc_b_addr", "C_ADDR": "desc_c_addr",
    "BIAS_ADDR": "desc_bias_addr", "SPMAP_ADDR": "desc_spmap_addr", "CHAIN_ADDR": "desc_chain_addr",
    "M": "desc_m", "N": "desc_n", "K": "desc_k", "LDA": "desc_lda", "LDB": "desc_ldb",
    "LDC": "desc_ldc", "SCALE": "desc_scale", "SHIFT": "desc_shift", "FLAGS": "desc_flags",
}  # fmt: skip


class CsrTB:
    """Clock, reset, the AXI4-Lite master and register helpers by name."""

    def __init__(self, dut) -> None:
        self.dut = dut
        self.seed = log_seed(dut)
        self.rng = np.random.default_rng(self.seed)
        self.params = {p: int(getattr(dut, p).value) for p in REGMAP.parameters}  # build values
        Clock(dut.clk, 10, unit="ns").start()
        self.axi = AXI4LiteMaster(dut, "s_axi", dut.clk)

    async def reset(self) -> None:
        d = self.dut
        for s in ("busy", "done_set", "err_set", "err_code_in", *PERF_INPUTS.values()):
            getattr(d, s).value = 0
        d.rst.value = 1
        await ClockCycles(d.clk, 3)
        d.rst.value = 0
        await RisingEdge(d.clk)

    def rand32(self) -> int:
        return int(self.rng.integers(0, 2**32, dtype=np.uint64))

    async def read(self, reg: str | int) -> int:
        value, resp = await self.read_resp(reg)
        assert resp == OKAY, f"read of {reg} answered {resp}"
        return value

    async def read_resp(self, reg: str | int) -> tuple[int, int]:
        off = REGMAP.offset(reg) if isinstance(reg, str) else reg
        ((data, resp),) = await AXI4Master.read(self.axi, off, 1, return_rresp=True)
        return int(data), int(resp)

    async def write(
        self,
        reg: str | int,
        value: int,
        byte_enable: int | None = None,
        address_latency: int = 0,
        data_latency: int = 0,
    ) -> int:
        """Write and return BRESP (AXI4LiteMaster raises on SLVERR; we want the value)."""
        off = REGMAP.offset(reg) if isinstance(reg, str) else reg
        try:
            await self.axi.write(
                off,
                value,
                byte_enable=byte_enable,
                address_latency=address_latency,
                data_latency=data_latency,
            )
        except AXIProtocolError as e:
            return int(e.xresp)
        return OKAY

    async def status(self) -> dict[str, int]:
        return REGMAP.decode("STATUS", await self.read("STATUS"))

    async def clear_error(self) -> None:
        assert await self.write("STATUS", REGMAP.encode("STATUS", error=1)) == OKAY
        assert (await self.status())["error"] == 0

    async def pulse(self, name: str, code: int | None = None) -> None:
        sig = getattr(self.dut, name)
        if code is not None:
            self.dut.err_code_in.value = code
        sig.value = 1
        await RisingEdge(self.dut.clk)
        sig.value = 0
        await RisingEdge(self.dut.clk)

    async def counts(self) -> tuple[int, int]:
        """(start pulses, soft-reset pulses) so far, including a pulse from the last write."""
        await RisingEdge(self.dut.clk)
        return int(self.dut.start_count.value), int(self.dut.soft_reset_count.value)

    async def finish(self) -> None:
        await ClockCycles(self.dut.clk, 4)
        assert int(self.dut.violation.value) == 0, "AXI4-Lite protocol checker reported a violation"
        assert int(self.dut.rd_outstanding.value) == 0 and int(self.dut.wr_outstanding.value) == 0


def _rw_regs() -> list:
    return [r for r in REGMAP.registers if r.mask("rw") and not r.mask("w1p", "w1c", "ro")]


@cocotb.test()
async def test_reset_values(dut):
    """Every register reads its JSON reset value; the descriptor outputs show the same."""
    tb = CsrTB(dut)
    await tb.reset()
    for r in REGMAP.registers:
        got = await tb.read(r.name)
        want = r.reset_value(tb.params)
        assert got == want, f"{r.name} @0x{r.offset:03X}: reset 0x{got:08X}, JSON says 0x{want:08X}"
    for reg, out in DESC_OUTPUTS.items():
        assert int(getattr(dut, out).value) == REGMAP.reg(reg).reset_value(), f"{out} after reset"
    ctrl = REGMAP.decode("CTRL", REGMAP.reg("CTRL").reset_value())
    for f in ("irq_enable", "overlap_enable", "chain_enable"):
        assert int(getattr(dut, f).value) == ctrl[f]
    assert int(dut.irq.value) == 0
    await tb.finish()


@cocotb.test()
async def test_rw_readback(dut):
    """Random values into every read/write register read back through the field masks, appear on
    the descriptor outputs, and partial byte strobes change only the strobed bytes."""
    tb = CsrTB(dut)
    await tb.reset()
    shadow = {}
    for _ in range(3):
        for r in _rw_regs():
            v = tb.rand32()
            assert await tb.write(r.name, v) == OKAY
            shadow[r.name] = v & r.mask("rw")
        for r in _rw_regs():
            assert await tb.read(r.name) == shadow[r.name], r.name
            if r.name in DESC_OUTPUTS:
                assert int(getattr(dut, DESC_OUTPUTS[r.name]).value) == shadow[r.name], r.name
    # byte strobes
    for r in _rw_regs():
        v, be = tb.rand32(), int(tb.rng.integers(0, 16))
        assert await tb.write(r.name, v, byte_enable=be) == OKAY
        lanes = sum(0xFF << (8 * i) for i in range(4) if be >> i & 1)
        shadow[r.name] = (shadow[r.name] & ~(lanes & r.mask("rw"))) | (v & lanes & r.mask("rw"))
        assert await tb.read(r.name) == shadow[r.name], f"{r.name} with WSTRB={be:04b}"
    # CTRL's rw bits (the w1p bits written as 0 so nothing starts)
    ctrl = REGMAP.reg("CTRL")
    for _ in range(8):
        v = tb.rand32() & ctrl.mask("rw")
        assert await tb.write("CTRL", v) == OKAY
        assert await tb.read("CTRL") == v
        fields = REGMAP.decode("CTRL", v)
        for f in ("irq_enable", "overlap_enable", "chain_enable"):
            assert int(getattr(dut, f).value) == fields[f]
    assert await tb.counts() == (0, 0)
    assert (await tb.status())["error"] == 0
    await tb.finish()


@cocotb.test()
async def test_independent_aw_w(dut):
    """AW before W, W before AW, and both together, with random gaps: each write lands."""
    tb = CsrTB(dut)
    await tb.reset()
    regs = _rw_regs()
    for i in range(24):
        r = regs[int(tb.rng.integers(0, len(regs)))]
        v = tb.rand32()
        aw, w = [(int(tb.rng.integers(1, 6)), 0), (0, int(tb.rng.integers(1, 6))), (0, 0)][i % 3]
        assert await tb.write(r.name, v, address_latency=aw, data_latency=w) == OKAY
        assert await tb.read(r.name) == v & r.mask("rw"), f"{r.name} (AW delay {aw}, W delay {w})"
    await tb.finish()


@cocotb.test()
async def test_read_only_writes(dut):
    """A write to each read-only register: SLVERR, value unchanged, error WRITE_RO (sticky, first
    error wins), cleared by writing STATUS.error = 1."""
    tb = CsrTB(dut)
    await tb.reset()
    ro_code = REGMAP.error_code("WRITE_RO")
    for r in (r for r in REGMAP.registers if r.read_only):
        before = await tb.read(r.name)
        assert await tb.write(r.name, tb.rand32()) == SLVERR, f"write to RO {r.name} not refused"
        st = await tb.status()
        assert st["error"] == 1 and st["error_code"] == ro_code, f"{r.name}: {st}"
        if r.snapshot_of is None:
            assert await tb.read(r.name) == before, f"RO {r.name} changed by a write"
        await tb.clear_error()
        assert (await tb.status())["error_code"] == REGMAP.error_code("NONE")
    await tb.finish()


@cocotb.test()
async def test_undefined_addresses(dut):
    """Holes in the map and the end of the window: reads SLVERR + 0 with no side effect; writes
    SLVERR + BAD_REG_ADDR."""
    tb = CsrTB(dut)
    await tb.reset()
    used = {r.offset for r in REGMAP.registers}
    holes = [o for o in range(0, 1 << REGMAP.addr_bits, 4) if o not in used]
    picks = sorted({*holes[:4], *(int(x) for x in tb.rng.choice(holes, 8, replace=False)), holes[-1]})
    for off in picks:
        data, resp = await tb.read_resp(off)
        assert (data, resp) == (0, SLVERR), f"read 0x{off:03X}: data 0x{data:X}, resp {resp}"
        assert (await tb.status())["error"] == 0, "an undefined read must have no side effect"
        assert await tb.write(off, tb.rand32()) == SLVERR, f"write 0x{off:03X} not refused"
        st = await tb.status()
        assert st["error"] == 1 and st["error_code"] == REGMAP.error_code("BAD_REG_ADDR"), st
        await tb.clear_error()
    await tb.finish()


@cocotb.test()
async def test_error_priority_and_irq(dut):
    """First error wins over later register-file and controller errors; the irq line follows
    irq_enable & (done | error); IRQ_STATUS shows and acknowledges the causes."""
    tb = CsrTB(dut)
    await tb.reset()
    code = REGMAP.error_code
    assert await tb.write("ID", 0) == SLVERR
    await tb.pulse("err_set", code("AXI_READ_ERROR"))
    assert await tb.write(0xFFC, 0) == SLVERR
    assert (await tb.status())["error_code"] == code("WRITE_RO")
    assert int(dut.irq.value) == 0, "irq must stay low while irq_enable = 0"
    assert await tb.read("IRQ_STATUS") == 0
    assert await tb.write("CTRL", REGMAP.encode("CTRL", irq_enable=1)) == OKAY
    assert int(dut.irq.value) == 1
    assert REGMAP.decode("IRQ_STATUS", await tb.read("IRQ_STATUS")) == {"done": 0, "error": 1}
    assert await tb.write("IRQ_STATUS", REGMAP.encode("IRQ_STATUS", error=1)) == OKAY
    assert (await tb.status())["error"] == 0 and int(dut.irq.value) == 0
    # controller error now lands
    await tb.pulse("err_set", code("AXI_WRITE_ERROR"))
    st = await tb.status()
    assert st["error"] == 1 and st["error_code"] == code("AXI_WRITE_ERROR")
    assert int(dut.irq.value) == 1
    await tb.clear_error()
    # done: sticky, irq, acknowledged by IRQ_STATUS or STATUS
    await tb.pulse("done_set")
    assert (await tb.status())["done"] == 1 and int(dut.irq.value) == 1
    assert REGMAP.decode("IRQ_STATUS", await tb.read("IRQ_STATUS")) == {"done": 1, "error": 0}
    assert await tb.write("STATUS", REGMAP.encode("STATUS", done=0)) == OKAY  # writing 0: no effect
    assert (await tb.status())["done"] == 1
    assert await tb.write("IRQ_STATUS", REGMAP.encode("IRQ_STATUS", done=1)) == OKAY
    assert (await tb.status())["done"] == 0 and int(dut.irq.value) == 0
    await tb.pulse("done_set")
    assert await tb.write("STATUS", REGMAP.encode("STATUS", done=1)) == OKAY
    assert (await tb.status())["done"] == 0
    await tb.finish()


@cocotb.test()
async def test_start_and_soft_reset(dut):
    """start pulses once and clears done/error; start while busy is dropped with
    START_WHILE_BUSY; soft_reset pulses, wins over start, clears status, keeps the descriptor."""
    tb = CsrTB(dut)
    await tb.reset()
    code = REGMAP.error_code
    start = REGMAP.encode("CTRL", start=1, overlap_enable=1)
    await tb.pulse("done_set")
    assert await tb.write("ID", 1) == SLVERR
    assert await tb.write("CTRL", start) == OKAY
    assert (await tb.counts())[0] == 1
    st = await tb.status()
    assert st["done"] == 0 and st["error"] == 0 and st["error_code"] == 0, st
    assert await tb.read("CTRL") == REGMAP.encode("CTRL", overlap_enable=1), "start must read 0"
    # busy: start refused
    dut.busy.value = 1
    await RisingEdge(dut.clk)
    assert (await tb.status())["busy"] == 1
    assert await tb.write("CTRL", start) == OKAY
    assert (await tb.counts())[0] == 1
    st = await tb.status()
    assert st["error"] == 1 and st["error_code"] == code("START_WHILE_BUSY"), st
    # soft reset while busy: pulses, clears the error; start in the same write is ignored
    assert await tb.write("M", 77) == OKAY
    assert await tb.write("CTRL", REGMAP.encode("CTRL", start=1, soft_reset=1)) == OKAY
    assert await tb.counts() == (1, 1)
    st = await tb.status()
    assert st["error"] == 0 and st["done"] == 0, st
    assert await tb.read("M") == 77 and int(dut.desc_m.value) == 77
    dut.busy.value = 0
    await RisingEdge(dut.clk)
    # byte strobe without lane 0: start bit not written
    assert await tb.write("CTRL", start, byte_enable=0b1110) == OKAY
    assert (await tb.counts())[0] == 1
    assert await tb.write("CTRL", start) == OKAY
    assert (await tb.counts())[0] == 2
    await tb.finish()


@cocotb.test()
async def test_perf_counter_snapshot(dut):
    """Each 64-bit counter: reading _LO latches _HI, so LO then HI is one sample even if the
    counter moves between the two reads. 32-bit counters read their input."""
    tb = CsrTB(dut)
    await tb.reset()
    for base, sig in PERF_INPUTS.items():
        s = getattr(dut, sig)
        if f"{base}_LO" not in {r.name for r in REGMAP.registers}:
            v = tb.rand32()
            s.value = v
            await RisingEdge(dut.clk)
            assert await tb.read(base) == v, base
            continue
        first = (tb.rand32() << 32) | 0xFFFF_FFF0
        s.value = first
        await RisingEdge(dut.clk)
        lo = await tb.read(f"{base}_LO")
        s.value = first + 0x20  # carries into the high word
        hi = await tb.read(f"{base}_HI")
        assert (hi << 32 | lo) == first, f"{base}: 0x{hi:08X}_{lo:08X} != 0x{first:016X}"
        lo = await tb.read(f"{base}_LO")
        hi = await tb.read(f"{base}_HI")
        assert (hi << 32 | lo) == first + 0x20, base
    await tb.finish()


@cocotb.test()
async def test_b_and_r_backpressure(dut):
    """Driven by hand: BVALID/BRESP and RVALID/RDATA/RRESP are held while BREADY/RREADY are low
    (the checker also watches); AW and W are accepted while an earlier B is still pending, and
    the write is performed only once B is free."""
    tb = CsrTB(dut)
    await tb.reset()
    d, clk = dut, dut.clk

    async def handshake(valid: str, ready: str) -> None:
        getattr(d, valid).value = 1
        while True:
            await ReadOnly()
            if int(getattr(d, ready).value):
                break
            await RisingEdge(clk)
        await RisingEdge(clk)
        getattr(d, valid).value = 0

    d.s_axi_bready.value = 0
    await RisingEdge(clk)
    # write 1 to M, W first then AW, and hold B for 7 cycles
    d.s_axi_wdata.value, d.s_axi_wstrb.value = 0x1234, 0xF
    await handshake("s_axi_wvalid", "s_axi_wready")
    d.s_axi_awaddr.value = REGMAP.offset("M")
    await handshake("s_axi_awvalid", "s_axi_awready")
    await RisingEdge(clk)  # the write is performed once both halves are held
    for _ in range(7):
        await ReadOnly()
        assert int(d.s_axi_bvalid.value) == 1 and int(d.s_axi_bresp.value) == OKAY
        await RisingEdge(clk)
    # a second write (to ID: SLVERR) is accepted into the holding registers meanwhile
    d.s_axi_wdata.value = 0
    d.s_axi_awaddr.value = REGMAP.offset("ID")
    await handshake("s_axi_awvalid", "s_axi_awready")
    await handshake("s_axi_wvalid", "s_axi_wready")
    assert (await tb.status())["error"] == 0, "second write performed before the first B was taken"
    d.s_axi_bready.value = 1
    await RisingEdge(clk)
    d.s_axi_bready.value = 0
    await ClockCycles(clk, 2)
    await ReadOnly()
    assert int(d.s_axi_bvalid.value) == 1 and int(d.s_axi_bresp.value) == SLVERR
    await RisingEdge(clk)
    d.s_axi_bready.value = 1
    await RisingEdge(clk)
    # read M with RREADY low for 5 cycles
    d.s_axi_araddr.value = REGMAP.offset("M")
    d.s_axi_rready.value = 0
    await handshake("s_axi_arvalid", "s_axi_arready")
    for _ in range(5):
        await ReadOnly()
        assert int(d.s_axi_rvalid.value) == 1 and int(d.s_axi_rdata.value) == 0x1234
        assert int(d.s_axi_arready.value) == 0, "a second read accepted while R is pending"
        await RisingEdge(clk)
    d.s_axi_rready.value = 1
    await RisingEdge(clk)
    await tb.finish()


# the second build sets every HWCFG / LIMITS / MEM_BYTES parameter away from its default
_BUILD2 = {"A_PANELS": 3, "KMAX": 1024, "CHAIN_MAX": 77, "MEM_BYTES": 0x0030_0000}


@pytest.mark.parametrize("array_n,bus_w", [(8, 64), (16, 128)])
def test_csr_regfile_rtl(array_n: int, bus_w: int) -> None:
    from tb.env.sim import run_cocotb

    run_cocotb(
        "csr_harness",
        ["rtl/csr_regfile.v", "tb/hdl/axi_protocol_checker.v", "tb/hdl/csr_harness.v"],
        "tb.test_csr_regfile",
        {"ARRAY_N": array_n, "BUS_W": bus_w, **(_BUILD2 if array_n == 16 else {})},
        f"csr_regfile_N{array_n}_B{bus_w}",
    )
