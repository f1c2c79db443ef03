"""Functional coverage model of the chip, the DMA and the core (cocotb-coverage 2.0).

Every bin is declared here, once, and listed with its meaning in docs/coverage_plan.md. The
testbenches call the ``sample_*`` functions below (tb/env/chip_host.py, tb/env/chip_tb.py, tb/env/dma_tb.py,
tb/env/core_tb.py, tb/test_chip_edges.py); each simulation exports the whole model, sampled or not,
to ``fcov.yml`` in its build folder when cocotb shuts down, so a group a testbench never samples
shows up as holes rather than vanishing. ``tools/fcov.py`` merges the files and prints the
per-group figures and the holes by name.

Groups (top level ``csai``):
    chip.shape     M, N, K classes against ARRAY_N (and the row block, the three B banks, KMAX)
    chip.flags     every FLAGS value, and the output-type x ReLU x bias x per-channel cross
    chip.sparse    block-sparsity density classes, all-zero column tiles
    chip.stride    row strides with padding, per operand
    chip.mem       memory read/write latency, random stall and beat-gap classes
    chip.axi       back-pressure seen on each AXI channel (counted in tb/hdl/chip_harness.v)
    chip.error     every error code the chip reports
    chip.reset     soft and hard reset x controller phase
    chip.chain     descriptor chain lengths
    chip.build     every ARRAY_N x BUS_W chip build
    chip.check     boundary values of every check the controller makes
    dma.*          command lengths, bursts, 4 KB crossings, knobs, responses, aborts
    core.*         command K classes, flags, commands held off by cmd_ready, result back-pressure
"""

from __future__ import annotations

import os
from pathlib import Path

from cocotb_coverage.coverage import CoverCross, CoverPoint, coverage_db

FLAG_INT8, FLAG_RELU, FLAG_BIAS, FLAG_PERCH, FLAG_SPARSE = 1, 2, 4, 8, 16
A_PANELS = 4  # row tiles per row block (chip_harness default; rtl/csai_chip.v)
B_BANKS = 3  # B banks / param slots the controller rotates through

# every ARRAY_N x BUS_W the chip can be built for (test_chip.py builds some in make test, the
# rest in make regress: tb/flows/regress.py); BUS_W / 8 >= ARRAY_N (rtl/gemm_controller.v's
# build rule), so ARRAY_N 16 needs the 128-bit bus
CHIP_BUILDS = [(4, 64), (4, 128), (8, 64), (8, 128), (16, 128)]
PHASES = ["fetch", "check", "load", "compute", "store", "abort"]
# error codes by name (rtl/regmap.json, minus NONE)
ERRORS = [
    "ZERO_DIM", "DIM_TOO_LARGE", "ADDR_RANGE", "OVERLAP", "MISALIGNED", "START_WHILE_BUSY",
    "WRITE_RO", "AXI_READ_ERROR", "AXI_WRITE_ERROR", "BAD_FLAGS", "BAD_CHAIN", "BAD_REG_ADDR",
]  # fmt: skip
# boundary values of the controller's checks: (operand range ends exactly at MEM_BYTES -> runs,
# one byte past -> ADDR_RANGE), strides equal to the row / one beat short, K = KMAX / KMAX + 1,
# the largest register values of M, N, K (refused by the range / size checks, no wrap)
CHECKS = [
    *(f"{op}_end_at_limit" for op in ("a", "b", "c", "bias", "map")),
    *(f"{op}_end_past_limit" for op in ("a", "b", "c", "bias", "map")),
    *(f"ld{op}_eq_row" for op in ("a", "b", "c")),
    *(f"ld{op}_beat_short" for op in ("a", "b", "c")),
    "k_eq_kmax", "k_kmax_plus1", "m_max_reg", "n_max_reg", "k_max_reg",
]  # fmt: skip


def _in(labels: set, b) -> bool:
    return b in labels


def dim_classes(d: int, array_n: int, kind: str, kmax: int = 0) -> set[str]:
    """Shape classes of one dimension (a value can be in several: 16 at N = 8 is a multiple)."""
    out = set()
    if d == 1:
        out.add("one")
    elif d < array_n:
        out.add("below_n")
    elif d == array_n:
        out.add("eq_n")
    elif d % array_n == 0:
        out.add("mult_n")
    else:
        out.add("non_mult")
    if kind == "m" and d > A_PANELS * array_n:
        out.add("beyond_row_block")
    if kind == "n" and d > B_BANKS * array_n:
        out.add("beyond_b_banks")
    if kind == "k" and kmax and d == kmax:
        out.add("kmax")
    return out


_DIM_BINS = ["one", "below_n", "eq_n", "mult_n", "non_mult"]


def _bucket(v: int, edges: list[tuple[str, int, int]]) -> str:
    for name, lo, hi in edges:
        if lo <= v <= hi:
            return name
    return "other"


_LAT = [("1", 1, 1), ("2-16", 2, 16), ("17-32", 17, 32), ("33+", 33, 1 << 16)]
_STALL = [("0", 0, 0), ("1-20", 1, 20), ("21-50", 21, 50), ("51-99", 51, 99)]
_GAP = [("0", 0, 0), ("1", 1, 1), ("2+", 2, 1 << 16)]


# ---------------- chip: one GEMM run to completion ----------------
@CoverPoint("csai.chip.shape.m", xf=lambda g: g["m_cls"], rel=_in, inj=False,
            bins=[*_DIM_BINS, "beyond_row_block"])  # fmt: skip
@CoverPoint("csai.chip.shape.n", xf=lambda g: g["n_cls"], rel=_in, inj=False,
            bins=[*_DIM_BINS, "beyond_b_banks"])  # fmt: skip
@CoverPoint("csai.chip.shape.k", xf=lambda g: g["k_cls"], rel=_in, inj=False, bins=[*_DIM_BINS, "kmax"])
@CoverPoint("csai.chip.flags.value", xf=lambda g: g["flags"], bins=list(range(32)))
@CoverPoint("csai.chip.flags.out", xf=lambda g: "int8" if g["flags"] & FLAG_INT8 else "int32",
            bins=["int8", "int32"])  # fmt: skip
@CoverPoint("csai.chip.flags.relu", xf=lambda g: bool(g["flags"] & FLAG_RELU), bins=[False, True])
@CoverPoint("csai.chip.flags.bias", xf=lambda g: bool(g["flags"] & FLAG_BIAS), bins=[False, True])
@CoverPoint("csai.chip.flags.perch", xf=lambda g: bool(g["flags"] & FLAG_PERCH), bins=[False, True])
@CoverCross("csai.chip.flags.out_x_relu_x_bias_x_perch",
            items=["csai.chip.flags.out", "csai.chip.flags.relu", "csai.chip.flags.bias",
                   "csai.chip.flags.perch"])  # fmt: skip
@CoverPoint("csai.chip.sparse.density", xf=lambda g: g["sparse_cls"], rel=_in, inj=False,
            bins=["dense", "sparse_no_zero_block", "sparse_partial", "sparse_all_zero",
                  "zero_col_tile", "last_col_tile_zero", "int32_padded_last_tile_zero"])  # fmt: skip
@CoverPoint("csai.chip.stride.padding", xf=lambda g: g["pads"], rel=_in, inj=False,
            bins=["none", "a_padded", "b_padded", "c_padded"])  # fmt: skip
@CoverPoint("csai.chip.mem.rd_latency", xf=lambda g: _bucket(g["rd_lat"], _LAT), bins=[b[0] for b in _LAT])
@CoverPoint("csai.chip.mem.wr_latency", xf=lambda g: _bucket(g["wr_lat"], _LAT), bins=[b[0] for b in _LAT])
@CoverPoint("csai.chip.mem.stall_pct", xf=lambda g: _bucket(g["stall"], _STALL), bins=[b[0] for b in _STALL])
@CoverPoint("csai.chip.mem.beat_gap", xf=lambda g: _bucket(g["gap"], _GAP), bins=[b[0] for b in _GAP])
@CoverPoint("csai.chip.mem.overlap", xf=lambda g: g["overlap"], bins=[False, True])
@CoverPoint("csai.chip.axi.backpressure", xf=lambda g: g["bp"], rel=_in, inj=False,
            bins=["ar", "aw", "w", "r_held", "b_held"])  # fmt: skip
def _sample_gemm(g: dict) -> None:
    pass


def sample_gemm(
    case, array_n: int, kmax: int, overlap: bool, knobs=None, zero_mask=None, bp: set[str] | None = None
) -> None:
    """One GEMM that ran to completion and whose C was checked. ``case`` is a tb.env.chip_tb.GemmCase,
    ``knobs`` a tb.env.chip_host.MemKnobs (None: the ideal memory of the controller harness),
    ``zero_mask`` the [k_blocks, col_tiles] all-zero block mask of B (sparse runs),
    ``bp`` the AXI channels that saw back-pressure during the run."""
    sparse = set()
    if not case.flags & FLAG_SPARSE:
        sparse.add("dense")
    elif zero_mask is not None:
        col_zero = zero_mask.all(axis=0)
        if not zero_mask.any():
            sparse.add("sparse_no_zero_block")
        elif zero_mask.all():
            sparse.add("sparse_all_zero")
        else:
            sparse.add("sparse_partial")
        if col_zero.any():
            sparse.add("zero_col_tile")
        if col_zero[-1]:
            sparse.add("last_col_tile_zero")
            if not case.flags & FLAG_INT8 and case.pad:
                sparse.add("int32_padded_last_tile_zero")
    _sample_gemm(
        dict(
            m_cls=dim_classes(case.m, array_n, "m"),
            n_cls=dim_classes(case.n, array_n, "n"),
            k_cls=dim_classes(case.k, array_n, "k", kmax),
            flags=case.flags,
            sparse_cls=sparse,
            pads={"a_padded", "b_padded", "c_padded"} if case.pad else {"none"},
            rd_lat=knobs.rd_latency if knobs else 1,
            wr_lat=knobs.wr_latency if knobs else 1,
            stall=knobs.stall_pct if knobs else 0,
            gap=knobs.beat_gap if knobs else 0,
            overlap=overlap,
            bp=bp or set(),
        )
    )


@CoverPoint("csai.chip.error.code", bins=ERRORS)
def sample_error(name: str) -> None:
    """The chip reported error ``name`` (checked by the test)."""


@CoverPoint("csai.chip.reset.kind", xf=lambda kind, phases: kind, bins=["soft", "hard"])
@CoverPoint("csai.chip.reset.phase", xf=lambda kind, phases: phases, rel=_in, inj=False, bins=PHASES)
@CoverCross("csai.chip.reset.kind_x_phase", items=["csai.chip.reset.kind", "csai.chip.reset.phase"])
def sample_reset(kind: str, phases: set[str]) -> None:
    """A soft or hard reset hit the controller in ``phases`` (and the test checked recovery)."""


_CHAIN = [("1", 1, 1), ("2-4", 2, 4), ("5-16", 5, 16), ("17+", 17, 1 << 30)]


@CoverPoint("csai.chip.chain.length", xf=lambda n: _bucket(n, _CHAIN), bins=[b[0] for b in _CHAIN])
def sample_chain(n: int) -> None:
    """A descriptor chain of ``n`` GEMMs completed and every C was checked."""


@CoverPoint("csai.chip.build.array_n_x_bus_w", bins=CHIP_BUILDS)
def sample_build(build: tuple[int, int]) -> None:
    """A whole-chip simulation of this (ARRAY_N, BUS_W) build ran."""


@CoverPoint("csai.chip.check.boundary", bins=CHECKS)
def sample_check(name: str) -> None:
    """A boundary case of a check ran with the expected outcome (tb/test_chip_edges.py)."""


# ---------------- DMA (tb/env/dma_tb.py) ----------------
@CoverPoint("csai.dma.cmd.kind", xf=lambda kind, cls: kind, bins=["read", "write"])
@CoverPoint("csai.dma.cmd.length", xf=lambda kind, cls: cls, rel=_in, inj=False,
            bins=["one_byte", "partial_beat", "one_beat", "multi_beat", "multi_burst", "cross_4k",
                  "unaligned_end"])  # fmt: skip
@CoverCross("csai.dma.cmd.kind_x_length", items=["csai.dma.cmd.kind", "csai.dma.cmd.length"])
def _sample_dma_cmd(kind: str, cls: set[str]) -> None:
    pass


def sample_dma_cmds(kind: str, cmds: list[tuple[int, int]], nbytes: int, max_burst: int) -> None:
    """Commands ``(addr, len)`` the DMA test checked (reads: their stream; writes: memory)."""
    for a, ln in cmds:
        if ln <= 0:
            continue
        beats = -(-ln // nbytes)
        cls = {"one_byte" if ln == 1 else "partial_beat" if ln < nbytes else "one_beat"}
        if ln > nbytes:
            cls = {"multi_beat"}
        if beats > max_burst:
            cls.add("multi_burst")
        if (a & 0xFFF) + beats * nbytes > 4096:
            cls.add("cross_4k")
        if ln % nbytes:
            cls.add("unaligned_end")
        _sample_dma_cmd(kind, cls)


@CoverPoint("csai.dma.mem.rd_latency", xf=lambda k: _bucket(k.get("cfg_rd_latency", 1), _LAT),
            bins=[b[0] for b in _LAT[:3]])  # fmt: skip
@CoverPoint("csai.dma.mem.stall_pct", xf=lambda k: _bucket(k.get("cfg_stall_pct", 0), _STALL),
            bins=[b[0] for b in _STALL[:3]])  # fmt: skip
@CoverPoint("csai.dma.mem.beat_gap", xf=lambda k: _bucket(k.get("cfg_beat_gap", 0), _GAP),
            bins=[b[0] for b in _GAP])  # fmt: skip
@CoverPoint("csai.dma.mem.link_stall", xf=lambda k: k.get("link_stall_pct", 0) > 0, bins=[False, True])
def sample_dma_knobs(knobs: dict) -> None:
    """Memory-model and stream knobs of a DMA test phase."""


@CoverPoint("csai.dma.event", bins=["cmd_error", "slverr_read", "slverr_write", "abort_read",
                                    "abort_write", "abort_copy", "throughput"])  # fmt: skip
def sample_dma_event(name: str) -> None:
    """A DMA behaviour a test checked."""


# ---------------- core (tb/env/core_tb.py) ----------------
@CoverPoint("csai.core.cmd.k", xf=lambda k, n, flags, waited, ready: dim_classes(k, n, "k") & set(_DIM_BINS),
            rel=_in, inj=False, bins=_DIM_BINS)  # fmt: skip
@CoverPoint("csai.core.cmd.flags", xf=lambda k, n, flags, waited, ready: flags & 7, bins=list(range(8)))
@CoverPoint(
    "csai.core.cmd.waited_for_ready", xf=lambda k, n, flags, waited, ready: waited, bins=[False, True]
)
@CoverPoint("csai.core.cmd.result_backpressure", xf=lambda k, n, flags, waited, ready: ready < 1.0,
            bins=[False, True])  # fmt: skip
def sample_core_cmd(k: int, n: int, flags: int, waited: bool, ready: float) -> None:
    """A core command accepted (``waited``: held off by cmd_ready, i.e. offered while the core
    was still busy), result ready probability ``ready``."""


# ---------------- export ----------------
def export(path: Path | None = None) -> Path:
    """Write the whole model (sampled or not) as YAML, via a temporary name."""
    path = path or Path.cwd() / "fcov.yml"
    tmp = path.with_suffix(".yml.tmp")
    coverage_db.export_to_yaml(str(tmp))
    os.replace(tmp, path)
    return path


def _register_export() -> None:
    """Export when cocotb shuts down (once per simulation, after the last test)."""
    try:
        import cocotb
        from cocotb import _shutdown  # cocotb 2.1: the regression's own end-of-run hook

        if getattr(cocotb, "top", None) is not None:
            _shutdown.register(lambda: export())
    except ImportError:  # pragma: no cover - outside a simulation nothing is exported
        pass


_register_export()
