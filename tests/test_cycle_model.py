"""Pure-Python tests of models/cycle/cycle_model.py and models/cycle/cycle_engine.py (the comparison with the
chip RTL is tb/flows/validate_cycle_model.py).

Where a figure is asserted exactly it was derived from the microarchitecture (docs/core.md,
docs/cycle_model.md) and agrees with the RTL counters of the validation sweep.
"""

from __future__ import annotations

import numpy as np
import pytest

from models.cycle.cycle_model import (
    F_BIAS,
    F_INT8,
    F_PERCH,
    F_SPARSE,
    CycleEstimate,
    engine_cycles,
    engine_gemm_cycles,
    extrapolated_cycles,
    uniform_zero_blocks,
)

KW = dict(array_n=8, bus_w_bytes=8, read_latency=20, write_latency=20)


def test_single_tile_timeline() -> None:
    """8x8x8, int8, no bias, memory latency 20/20: A (8 beats) then B (8 beats), each read
    latency + 3 cycles from request to data (reader command register, AR register, data FIFO);
    one tile of the core (accept -> last row max(K,N) + 2N + 5 = 29 cycles); 8 one-beat row writes,
    the last acknowledged write latency + 5 cycles after its row left the core."""
    c = engine_cycles(8, 8, 8, flags=F_INT8, **KW)
    assert c["total"] == 103
    assert c["compute"] == 8 and c["tiles"] == 1
    assert c["bytes_rd"] == 16 * 8 and c["bytes_wr"] == 64


def test_counters_follow_the_tiling() -> None:
    m, n, k = 37, 29, 100  # 5 row tiles (2 row blocks), 4 column tiles, K not a multiple of N or W
    c = engine_cycles(m, n, k, flags=F_INT8 | F_BIAS, **KW)
    assert c["tiles"] == 5 * 4
    assert c["compute"] == 5 * 4 * 100  # every tile issues max(K, N) cycles
    assert c["bytes_wr"] == m * n
    a_beats = 5 * 8 * -(-k // 8)  # every row of every panel (the last panel padded), in K chunks
    b_beats = 2 * 4 * k  # one beat per B row, per column tile, per row block
    p_beats = 2 * 4 * 4  # 32 bias bytes per column tile per row block
    assert c["bytes_rd"] == 8 * (a_beats + b_beats + p_beats)
    assert c["total"] > c["compute"]


def test_int32_output_and_per_channel_cost_more() -> None:
    base = engine_cycles(16, 16, 16, flags=F_INT8, **KW)
    wide = engine_cycles(16, 16, 16, flags=0, **KW)
    perch = engine_cycles(16, 16, 16, flags=F_INT8 | F_PERCH, **KW)
    assert wide["bytes_wr"] == 4 * base["bytes_wr"] and wide["total"] > base["total"]
    assert perch["bytes_rd"] > base["bytes_rd"]


def test_zero_blocks_are_skipped() -> None:
    kb, ct = 8, 2
    every = {(b, j) for b in range(kb) for j in range(ct)}
    dense = engine_cycles(8, 16, 64, flags=F_INT8 | F_BIAS, **KW)
    half = engine_cycles(
        8, 16, 64, flags=F_INT8 | F_BIAS | F_SPARSE, zero_blocks=uniform_zero_blocks(kb, ct, 0.5), **KW
    )
    empty = engine_cycles(8, 16, 64, flags=F_INT8 | F_BIAS | F_SPARSE, zero_blocks=every, **KW)
    assert half["skipped"] == 8 and empty["skipped"] == 16
    assert empty["compute"] == 2 * 8  # a K=1 command on the zero entry per tile
    assert empty["total"] < half["total"] < dense["total"]


def test_overlap_hides_loads() -> None:
    on = engine_cycles(64, 64, 128, flags=F_INT8, overlap=True, **KW)
    off = engine_cycles(64, 64, 128, flags=F_INT8, overlap=False, **KW)
    assert on["compute"] == off["compute"]
    assert on["total"] < off["total"]


def test_latency_beyond_the_read_credit_slows_loading() -> None:
    """48 beats in flight: with a 100-cycle memory a GEMV streams at about 48 / 101 beats per cycle."""
    fast = engine_cycles(1, 64, 512, flags=F_INT8, array_n=8, bus_w_bytes=8, read_latency=20)
    slow = engine_cycles(1, 64, 512, flags=F_INT8, array_n=8, bus_w_bytes=8, read_latency=100)
    assert slow["total"] > 1.8 * fast["total"]


def test_memory_latencies_add_cycles() -> None:
    """Read latency delays every load round trip; write latency only the end of the GEMM (the
    last acknowledgement), as long as the 32 write bursts in flight cover it."""
    base = engine_cycles(16, 16, 64, flags=F_INT8, **KW)
    slow_wr = engine_cycles(16, 16, 64, flags=F_INT8, **dict(KW, write_latency=30))
    assert slow_wr["total"] == base["total"] + 10
    gap = engine_cycles(16, 16, 64, flags=F_INT8, beat_gap=1, **KW)
    assert gap["total"] > base["total"]
    assert {key: v for key, v in gap.items() if key not in ("total", "stall")} == {
        key: v for key, v in base.items() if key not in ("total", "stall")
    }


def test_chip_benchmarks() -> None:
    """The figures of tb/flows/bench_chip.py (build/bench/chip.md, PERF_CYCLES of the chip RTL)."""
    # the bench's operands, as tb/env/mem_image.py places them (A first, at 4 KB)
    small = dict(addrs=dict(a=4096, lda=8, b=4160, ldb=8, bias=4224, map=0), c_addr=4288, ldc=8)
    big = dict(addrs=dict(a=4096, lda=256, b=69632, ldb=256, bias=135168, map=0), c_addr=137216, ldc=256)
    for bursts, t_small, ar_small, t_big, ar_big in (
        (True, 107, 10, 272_683, 66_816),
        (False, 107, 20, 272_691, 74_752),
    ):
        c = engine_cycles(8, 8, 8, flags=F_INT8 | F_BIAS, read_bursts=bursts, **small, **KW)
        assert (c["total"], c["ar_bursts"]) == (t_small, ar_small)
        c = engine_cycles(256, 256, 256, flags=F_INT8 | F_BIAS, read_bursts=bursts, **big, **KW)
        assert (c["total"], c["ar_bursts"]) == (t_big, ar_big)
    # serial 256^3 and GEMV, as docs/chip_performance.md quotes them (single-beat = measured before)
    gemv = dict(addrs=dict(a=4096, lda=1024, b=5120, ldb=1024, bias=1053696, map=0), c_addr=1061888, ldc=1024)
    for bursts, t_serial, t_gemv in ((True, 355_589, 133_703), (False, 355_597, 134_085)):
        c = engine_cycles(
            256, 256, 256, flags=F_INT8 | F_BIAS, read_bursts=bursts, overlap=False, **big, **KW
        )
        assert c["total"] == t_serial
        assert (
            engine_cycles(1, 1024, 1024, flags=F_INT8 | F_BIAS, read_bursts=bursts, **gemv, **KW)["total"]
            == t_gemv
        )


@pytest.mark.parametrize(
    ("m", "n", "k", "flags", "sparsity"),
    [(300, 50, 100, F_INT8, 0.0), (130, 90, 64, 21, 0.5), (1, 900, 70, 5, 0.0)],
)
def test_extrapolation_equals_full_simulation(m: int, n: int, k: int, flags: int, sparsity: float) -> None:
    kw = dict(KW, flags=flags | (F_SPARSE if sparsity else 0))
    full = extrapolated_cycles(m, n, k, sparsity=sparsity, budget=10**9, **kw)
    ext = extrapolated_cycles(m, n, k, sparsity=sparsity, budget=0, **kw)
    assert full["method"] == "simulated" and ext["method"] == "extrapolated" and ext["verified"]
    assert {key: ext[key] for key in full if key not in ("method",)} == {
        key: full[key] for key in full if key not in ("method",)
    }


def test_report_interface() -> None:
    e = engine_gemm_cycles(64, 64, 64, array_n=8, bus_w_bytes=8, mem_latency=20, sparsity=0.0)
    assert isinstance(e, CycleEstimate)
    assert e.compute_cycles == 64 * 64  # 64 tiles of 64 cycles
    assert e.bytes_written == 64 * 64 and e.cycles > e.compute_cycles
    s = engine_gemm_cycles(64, 64, 64, array_n=8, bus_w_bytes=8, mem_latency=20, sparsity=0.5)
    assert s.cycles < e.cycles and s.bytes_read < e.bytes_read


def test_uniform_mask() -> None:
    z = uniform_zero_blocks(10, 3, 0.3)
    assert len(z) == 9 and {j for _, j in z} == {0, 1, 2}
    assert uniform_zero_blocks(10, 3, 0.0) == set()
    assert len(uniform_zero_blocks(10, 3, 1.0)) == 30


def test_refused_shapes() -> None:
    with pytest.raises(ValueError):
        engine_cycles(8, 8, 4096, **KW)  # K > KMAX: the controller reports E_TOO_LARGE
    with pytest.raises(ValueError):
        engine_cycles(0, 8, 8, **KW)


def test_measured_records_replace_the_model(tmp_path) -> None:
    import json

    from models.cycle.cycle_measured import measured_index, with_measurements

    rec = dict(
        m=64, n=64, k=64, array_n=8, bus_w=64, mem_latency=20, mem_wr_latency=20, stall_prob=0.0,
        beat_gap=0, cycles=1234, bytes_read=100, bytes_written=64, compute_cycles=4096, sparsity=0.0,
        flags=dict(out_int8=True, relu=False, bias_en=True, per_channel=False, block_sparse=False,
                   overlap=True),
    )  # fmt: skip
    (tmp_path / "a.json").write_text(json.dumps(rec))
    (tmp_path / "b.json").write_text(json.dumps(dict(rec, m=32, mem_latency=7)))  # other latency
    (tmp_path / "c.json").write_text(json.dumps({**rec, "m": 16, "flags": {**rec["flags"], "relu": True}}))
    index = measured_index(tmp_path)
    assert len(index) == 1
    f = with_measurements(engine_gemm_cycles, index)
    kw = dict(array_n=8, bus_w_bytes=8, mem_latency=20, sparsity=0.0)
    hit = f(64, 64, 64, **kw)
    assert hit.cycles == 1234 and hit.source == "measured"
    assert f(32, 64, 64, **kw).source == "model"
    assert f(64, 64, 64, **dict(kw, mem_latency=7)).source == "model"
    big = engine_gemm_cycles(1024, 1024, 512, **kw)
    assert big.source == "model (extrapolated)"


def test_engine_constants_follow_the_rtl() -> None:
    """The chip parameters the engine model hard-codes are the defaults of rtl/csai_chip.v and
    rtl/gemm_controller.v (a change there must be made in models/cycle/cycle_engine.py too)."""
    import re
    from pathlib import Path

    from models.cycle import cycle_engine as ce

    rtl = Path(__file__).resolve().parent.parent / "rtl"
    chip = (rtl / "csai_chip.v").read_text()
    ctrl = (rtl / "gemm_controller.v").read_text()

    def param(text: str, name: str) -> int:
        return int(re.search(rf"parameter\s+(?:integer\s+)?{name}\s*=\s*(\d+)", text).group(1))

    assert param(chip, "RD_OUTSTANDING") == ce.RD_OUTSTANDING
    assert param(chip, "WR_OUTSTANDING") == ce.WR_OUTSTANDING
    assert re.search(rf"dma_writer #\(.*?\.MAX_BURST\({ce.WR_MAX_BURST}\)", chip, re.S)
    assert param(ctrl, "KMAX") == ce.KMAX and param(ctrl, "A_PANELS") == ce.A_PANELS
    assert f"< 32'd{ce.DQ_CREDIT}" in ctrl


def test_validation_record_is_current() -> None:
    """The label's figures come from the last passing `make validate`, which stored a hash of the RTL
    and the engine model it ran on: a change to either since then must be validated again."""
    from models.cycle.cycle_model import MODEL_LABEL, sources_hash, validation_record

    rec = validation_record()
    assert rec is not None, "no models/cycle_model_validation.json: run make validate"
    assert rec["points"] >= 50 and rec["max_abs_error"] <= 0.01, rec
    assert rec["sources_sha256"] == sources_hash(), (
        "rtl/*.v or models/cycle/cycle_engine.py changed since the last make validate: run it and commit "
        "models/cycle_model_validation.json"
    )
    assert f"on {rec['points']} random GEMMs" in MODEL_LABEL
    dram = rec.get("dram")
    assert dram is not None, "no DRAM part in the record: run make validate (it runs both memories)"
    assert dram["points"] >= 50 and dram["max_abs_error"] <= 0.01, dram
    assert dram["sources_sha256"] == sources_hash(memory="dram"), (
        "the RTL, the engine or the DRAM model changed since the last MEM=dram make validate: run "
        "make validate and commit models/cycle_model_validation.json"
    )


def test_loader_idle_counts_where_a_sparse_gemv_loses_its_cycles() -> None:
    """``loader_idle`` observes without changing a cycle: the counters are those of the run
    without it, and on a bus-bound sparse GEMV the reader's idle cycles sit in the zero-block
    skip (state "b") and the map wait, growing with the memory latency only in the map wait."""
    from models.cycle.cycle_engine import F_BIAS, F_INT8, F_SPARSE, engine_cycles

    rng = np.random.default_rng(1)
    zero = {(int(b), int(j)) for b, j in zip(*np.nonzero(rng.random((32, 16)) < 0.9), strict=True)}
    kw = dict(flags=F_INT8 | F_BIAS | F_SPARSE, zero_blocks=zero)
    idle = {}
    for lat in (1, 20):
        idle[lat] = {}
        counted = engine_cycles(1, 128, 256, read_latency=lat, write_latency=lat, loader_idle=idle[lat], **kw)
        assert counted == engine_cycles(1, 128, 256, read_latency=lat, write_latency=lat, **kw)
    assert idle[1]["b"] == idle[20]["b"] > 0  # the skip costs cycles whatever the latency
    assert idle[20]["map_wait"] > idle[1]["map_wait"]  # the map's round trip grows with it


def test_engine_flag_bits_are_the_descriptor_flags_register() -> None:
    """The engine's F_* (models/, which may not import tb/) and the testbench's FLAG_* are the
    FLAGS register's bits as rtl/regmap.json defines them, so either can describe a job."""
    from models.chip.regmap import REGMAP
    from models.cycle import cycle_engine as e
    from tb.env import chip_tb as t

    fields = ("out_int8", "relu", "bias_en", "per_channel_scale", "block_sparse")
    regmap_bits = [REGMAP.encode("FLAGS", **{f: 1}) for f in fields]
    assert regmap_bits == [e.F_INT8, e.F_RELU, e.F_BIAS, e.F_PERCH, e.F_SPARSE]
    assert regmap_bits == [t.FLAG_INT8, t.FLAG_RELU, t.FLAG_BIAS, t.FLAG_PERCH, t.FLAG_SPARSE]
