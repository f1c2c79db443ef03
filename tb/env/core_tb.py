"""TB class for rtl/gemm_core.v: clock, reset, buffer loading, command driver, result monitor.

The result monitor collects every row the core emits (with its tag) so tests check that
nothing is lost or duplicated; commands go through a valid/ready driver that holds its beat
until accepted. Cycle counts come from a free-running cycle counter sampled at the handshake
edges (the documented start and done events of docs/results_schema.md).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import NextTimeStep, ReadOnly, RisingEdge

from models.chip.golden import Requant, output_stage
from tb.env import coverage_model as fcov


def pack(values, bits: int) -> int:
    """Little-endian lanes: element i at bits [bits*i + bits-1 : bits*i], two's complement."""
    word = 0
    mask = (1 << bits) - 1
    for i, v in enumerate(values):
        word |= (int(v) & mask) << (bits * i)
    return word


def unpack_signed(word: int, bits: int, lanes: int) -> list[int]:
    mask = (1 << bits) - 1
    out = []
    for i in range(lanes):
        v = (word >> (bits * i)) & mask
        out.append(v - (1 << bits) if v >> (bits - 1) else v)
    return out


@dataclass
class Tile:
    """One core command and the golden result it must produce."""

    a_base: int
    b_base: int
    k: int
    p_addr: int = 0
    shift: int = 0
    flags: int = 1  # bit0 out_int8, bit1 relu, bit2 bias_en, bit3 reserved
    tag: int = 0
    expect: np.ndarray | None = None
    accepted: int = -1  # cycle of the edge at which the core accepted the command


@dataclass
class Row:
    tag: int
    row: int
    last: bool
    data: list[int]
    cycle: int


@dataclass
class CoreTB:
    dut: object
    n: int
    cycle: int = 0
    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[int, int]] = field(default_factory=list)
    accepts: list[int] = field(default_factory=list)
    ready_prob: float = 1.0
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(0))

    @classmethod
    async def create(cls, dut, rng: np.random.Generator) -> CoreTB:
        tb = cls(dut=dut, n=int(dut.ARRAY_N.value), rng=rng)
        Clock(dut.clk, 10, unit="ns").start()
        for sig in ("a_wr_en", "b_wr_en", "p_wr_en", "cmd_valid", "res_ready"):
            getattr(dut, sig).value = 0
        dut.rst.value = 1
        for _ in range(3):
            await RisingEdge(dut.clk)
        dut.rst.value = 0
        cocotb.start_soon(tb._monitor())
        return tb

    async def _monitor(self) -> None:
        """At every rising edge sample the handshakes as they were at that edge (flops have not
        updated yet when the edge callback runs), then drive a random res_ready for the next."""
        dut = self.dut
        while True:
            await RisingEdge(dut.clk)
            self.cycle += 1
            if dut.cmd_valid.value == 1 and dut.cmd_ready.value == 1:
                self.accepts.append(self.cycle)
            if dut.res_valid.value == 1 and dut.res_ready.value == 1:
                self.rows.append(
                    Row(
                        tag=int(dut.res_tag.value),
                        row=int(dut.res_row.value),
                        last=bool(dut.res_last.value),
                        data=unpack_signed(int(dut.res_data.value), 32, self.n),
                        cycle=self.cycle,
                    )
                )
            if dut.err_valid.value == 1:
                self.errors.append((int(dut.err_code.value), self.cycle))
            dut.res_ready.value = int(self.rng.random() < self.ready_prob)

    async def write_a(self, base: int, a_panel: np.ndarray) -> None:
        """a_panel is [n, k]: entry base+k holds column k (byte i = A[i][k])."""
        await self._write("a", base, [pack(a_panel[:, k], 8) for k in range(a_panel.shape[1])])

    async def write_b(self, base: int, b_panel: np.ndarray) -> None:
        """b_panel is [k, n]: entry base+k holds row k (byte j = B[k][j])."""
        await self._write("b", base, [pack(b_panel[k, :], 8) for k in range(b_panel.shape[0])])

    async def write_params(self, addr: int, bias: np.ndarray, scale: np.ndarray) -> None:
        lanes = [
            (int(s) & 0xFFFFFFFF) << 32 | (int(b) & 0xFFFFFFFF) for b, s in zip(bias, scale, strict=True)
        ]
        await self._write("p", addr, [pack(lanes, 64)])

    async def _write(self, port: str, base: int, words: list[int]) -> None:
        dut = self.dut
        en, addr, data = (getattr(dut, f"{port}_wr_{x}") for x in ("en", "addr", "data"))
        for i, w in enumerate(words):
            en.value, addr.value, data.value = 1, base + i, w
            await RisingEdge(dut.clk)
        en.value = 0

    async def send(self, t: Tile, timeout: int = 10_000) -> int:
        """Drive one command until accepted; return the cycle of the accepting edge."""
        dut = self.dut
        dut.cmd_valid.value = 1
        dut.cmd_a_base.value, dut.cmd_b_base.value, dut.cmd_k.value = t.a_base, t.b_base, t.k
        dut.cmd_p_addr.value, dut.cmd_shift.value = t.p_addr, t.shift
        dut.cmd_flags.value, dut.cmd_tag.value = t.flags, t.tag
        before = len(self.accepts)
        offered = self.cycle
        for _ in range(timeout):
            await RisingEdge(dut.clk)
            await ReadOnly()  # the monitor has sampled this edge
            if len(self.accepts) > before:
                await NextTimeStep()
                dut.cmd_valid.value = 0
                t.accepted = self.accepts[-1]
                waited = t.accepted > offered + 1  # held off by cmd_ready (the core still busy)
                fcov.sample_core_cmd(t.k, self.n, t.flags, waited, self.ready_prob)
                return t.accepted
        raise AssertionError(f"command tag {t.tag} not accepted within {timeout} cycles")

    async def wait_rows(self, count: int, timeout: int) -> None:
        for _ in range(timeout):
            if len(self.rows) >= count:
                return
            await RisingEdge(self.dut.clk)
        per_tag: dict[int, int] = {}
        for r in self.rows:
            per_tag[r.tag] = per_tag.get(r.tag, 0) + 1
        raise AssertionError(
            f"expected {count} result rows, got {len(self.rows)} after {timeout} cycles; "
            f"rows per tag {per_tag}"
        )

    async def idle(self, cycles: int) -> None:
        for _ in range(cycles):
            await RisingEdge(self.dut.clk)


def expected_tile(
    a_panel: np.ndarray, b_panel: np.ndarray, bias: np.ndarray, scale: np.ndarray, t: Tile
) -> np.ndarray:
    """Golden result of one tile: [n, k] A-columns layout back to A[n, k] maths."""
    q = Requant(
        scale=scale.astype(np.int64), shift=t.shift, relu=bool(t.flags & 2), out_int8=bool(t.flags & 1)
    )
    from models.chip.golden import matmul_int8

    acc = matmul_int8(a_panel, b_panel)
    return output_stage(acc, bias if t.flags & 4 else None, q)


def check_rows(rows: list[Row], tiles: list[Tile], n: int) -> None:
    """Every tile's n rows arrive once, in order, with the golden values."""
    by_tag: dict[int, list[Row]] = {}
    for r in rows:
        by_tag.setdefault(r.tag, []).append(r)
    assert sorted(by_tag) == sorted(t.tag for t in tiles), (
        f"tags out {sorted(by_tag)} != tags in {sorted(t.tag for t in tiles)}"
    )
    order = deque(t.tag for t in tiles)
    seen = [r.tag for r in rows if r.row == 0]
    assert seen == list(order), "tiles came out in a different order than their commands"
    for t in tiles:
        got = by_tag[t.tag]
        assert [r.row for r in got] == list(range(n)), f"tag {t.tag}: rows {[r.row for r in got]}"
        assert [r.last for r in got] == [False] * (n - 1) + [True], f"tag {t.tag}: bad last flags"
        mat = np.array([r.data for r in got], dtype=np.int64)
        assert t.expect is not None
        if not np.array_equal(mat, t.expect):
            bad = np.argwhere(mat != t.expect)[0]
            raise AssertionError(
                f"tag {t.tag}: C[{bad[0]}][{bad[1]}] = {mat[tuple(bad)]}, golden {t.expect[tuple(bad)]}"
            )


def record_tiles(test: str, rows: list[Row], tiles: list[Tile], n: int, **extra) -> None:
    """One record per tile: cycles from its command's accept edge to its last row out."""
    from tb.env.results import record

    last_out = {r.tag: r.cycle for r in rows if r.last}
    for t in tiles:
        flags = {"out_int8": bool(t.flags & 1), "relu": bool(t.flags & 2), "bias_en": bool(t.flags & 4)}
        record(
            test,
            n,
            n,
            n,
            t.k,
            flags,
            last_out[t.tag] - t.accepted,
            tiles=1,
            event_start="cmd accepted",
            event_end="last row out",
            **extra,
        )
