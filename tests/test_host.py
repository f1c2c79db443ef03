"""The host model (models/report/host.py), the non-GEMM accounting it times, the overlap rule, and the
report's clock (models/report/clock.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from math import ceil
from pathlib import Path

import pytest

from models.cycle import cycle_model
from models.report.clock import FALLBACK_MHZ, ClockError, recorded_clock, report_clock, rtl_hash
from models.report.host import (
    DEFAULT_HOST,
    FIELDS,
    PRE,
    HostError,
    end_to_end_s,
    host_share,
    load_host,
    op_time,
    parse_host,
)
from models.report.performance import ChipParams, evaluate
from models.transformer.accounting import (
    HOST_LANE_OPS,
    KMAX,
    LaneOps,
    VectorOp,
    model_gemms,
    model_vector_ops,
)
from models.transformer.workloads import Scenario, resolve_model

REPO = Path(__file__).resolve().parent.parent


def _host_doc() -> dict:
    return json.loads(DEFAULT_HOST.read_text())


# --- the host file ------------------------------------------------------------------------------


def test_bundled_host_file_states_every_figure_and_its_source() -> None:
    host = load_host()
    doc = _host_doc()
    for field in FIELDS:
        assert doc[field]["source"].strip()
        assert (field in host.assumed) == doc[field]["assumed"]
    assert host.clock_mhz == 1800 and host.cores_used == 1
    label = host.label()
    assert "Cortex-A53" in label and "(assumed)" in label


@pytest.mark.parametrize("field", FIELDS)
def test_missing_field_is_named(field: str) -> None:
    doc = _host_doc()
    del doc[field]
    with pytest.raises(HostError) as err:
        parse_host(doc, "h.json")
    assert err.value.field == field
    assert f"'{field}'" in str(err.value)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d["clock_mhz"].update(value=0), "clock_mhz.value"),
        (lambda d: d["f32_ops_per_cycle"].update(value="2"), "f32_ops_per_cycle.value"),
        (lambda d: d["cores_used"].update(value=1.5), "cores_used.value"),
        (lambda d: d["memory_gb_per_s"].pop("source"), "memory_gb_per_s.source"),
        (lambda d: d["int8_ops_per_cycle"].update(assumed="yes"), "int8_ops_per_cycle.assumed"),
        (lambda d: d.update(clock_mhz=1800), "clock_mhz"),
        (lambda d: d.pop("name"), "name"),
    ],
)
def test_invalid_field_is_named(change, named: str) -> None:
    doc = _host_doc()
    change(doc)
    with pytest.raises(HostError, match=named.replace(".", r"\.")):
        parse_host(doc, "h.json")


# --- accounting of the non-GEMM work ------------------------------------------------------------


def test_partial_sums_of_k_beyond_kmax_are_counted() -> None:
    """Every GEMM with K > KMAX leaves ceil(K / KMAX) int32 partial outputs for the host to add."""
    for name, scenario in (
        ("tinyllama-1.1b", Scenario.decode(128)),
        ("distilbert-base-uncased", Scenario.encoder(128)),
        ("all-minilm-l6-v2", Scenario.encoder(128)),
    ):
        spec = resolve_model(name)
        big = [g for g in model_gemms(spec, scenario) if g.k > KMAX]
        ops = [o for o in model_vector_ops(spec, scenario) if o.name == "partial_sum_requant"]
        assert len(ops) == len(big)
        for g, o in zip(big, ops, strict=True):
            chunks = ceil(g.k / KMAX)
            assert o.elements == g.m * g.n * g.count
            assert o.bytes_read == 4 * chunks * o.elements and o.bytes_written == o.elements
            assert o.lanes.int32 == chunks * o.elements  # chunks - 1 adds and the bias
    tiny = resolve_model("tinyllama-1.1b")
    assert {g.name for g in model_gemms(tiny, Scenario.decode(128)) if g.k > KMAX} == {"ffn_down"}
    minilm = resolve_model("all-minilm-l6-v2")
    assert not [o for o in model_vector_ops(minilm, Scenario.encoder(128)) if o.name == "partial_sum_requant"]


def test_host_lane_ops_follow_the_per_element_table() -> None:
    spec = resolve_model("distilbert-base-uncased")
    ops = model_vector_ops(spec, Scenario.encoder(64))
    for o in ops:
        if o.name != "partial_sum_requant":
            assert o.lanes == HOST_LANE_OPS[o.name] * o.elements, o.name
    softmax = next(o for o in ops if o.name == "softmax")
    assert softmax.elements == 12 * 64 * 64
    assert softmax.lanes.convert == 6 * softmax.elements  # dequantize 3 + requantize 3 per score


# --- the roofline rule per op and the overlap rule ----------------------------------------------


def test_op_time_is_the_larger_of_compute_and_memory() -> None:
    host = replace(load_host(), clock_mhz=1000.0, cores_used=1)  # 1 GHz: cycles = ns
    op = VectorOp("x", 0, 100, bytes_read=8000, bytes_written=0, ops=0, lanes=LaneOps(int8=800, f32=200))
    t = op_time(op, host)
    # 800 / 8 + 200 / 2 = 200 cycles = 200 ns; 8000 B / 8 GB/s = 1000 ns
    assert t.compute_s == pytest.approx(200e-9) and t.memory_s == pytest.approx(1000e-9)
    assert t.seconds == t.memory_s and t.bound == "memory"
    four = op_time(op, replace(host, cores_used=4))
    assert four.compute_s == pytest.approx(50e-9) and four.memory_s == t.memory_s  # cores do not add DRAM


def test_overlap_arithmetic() -> None:
    stages = [(3.0, 1.0), (3.0, 1.0)]
    assert end_to_end_s(1.0, stages, "none") == 9.0
    # chip 1+3=4, host 5; chip 7, host max(5, 7) + 1 = 8
    assert end_to_end_s(1.0, stages, "pipelined") == 8.0
    host_heavy = [(1.0, 3.0), (1.0, 3.0)]
    # chip 2, host 5; chip 3, host max(5, 3) + 3 = 8
    assert end_to_end_s(1.0, host_heavy, "pipelined") == 8.0
    with pytest.raises(HostError):
        end_to_end_s(0.0, stages, "sometimes")


def test_end_to_end_of_a_model() -> None:
    """none: chip + host exactly; pipelined on a decode step whose host work per layer is far below
    the chip's: everything hides but the embedding and the last stage's host work."""
    spec = resolve_model("tinyllama-1.1b")
    perf = evaluate(spec, Scenario.decode(128), ChipParams(), cycle_model.gemm_cycles)
    host = load_host()
    none = replace(perf, host=host_share(perf.vector_ops, host, "none"))
    assert none.end_to_end_s == pytest.approx(none.latency_s + none.host_s, rel=1e-12)
    assert none.host_s == pytest.approx(sum(op_time(o, host).seconds for o in perf.vector_ops))
    piped = replace(perf, host=host_share(perf.vector_ops, host, "pipelined"))
    stages = piped.host.by_stage()
    assert max(stages[layer] for layer in range(spec.layers)) < min(
        sum(c.cycles for c in perf.gemms if c.gemm.layer == layer) / 100e6 for layer in range(spec.layers)
    )
    assert piped.end_to_end_s == pytest.approx(stages[PRE] + perf.latency_s + stages[None], rel=1e-12)
    assert max(perf.latency_s, none.host_s) <= piped.end_to_end_s < none.end_to_end_s


# --- the report's clock -------------------------------------------------------------------------


def _record(tmp_path: Path, **fields) -> Path:
    rec = {
        "part": "LFE5U-85F",
        "package": "CABGA381",
        "speed_grade": 8,
        "seed": 1,
        "tools": {"yosys": "0.47", "nextpnr": "0.7"},
        "array_n": 8,
        "bus_w": 64,
        "fmax_mhz": 103.76,
        "target_mhz": 100,
        "utilisation": {"LUT4": 31000},
        "rtl_sha256": rtl_hash(),
        "command": "make fpga",
        "date": "2026-12-02",
        "something_new": [1, 2],  # extra fields are ignored
    } | fields
    path = tmp_path / "fpga_timing_record.json"
    path.write_text(json.dumps({k: v for k, v in rec.items() if v is not None}))
    return path


def test_clock_from_a_current_record(tmp_path: Path) -> None:
    clock = report_clock(path=_record(tmp_path))
    assert clock.mhz == 103.0 and clock.kind == "recorded"  # rounded down to a whole MHz
    for text in ("LFE5U-85F", "speed 8", "seed 1", "nextpnr 0.7"):
        assert text in clock.short
    assert "older RTL" not in clock.label


def test_clock_from_an_older_rtl_is_labelled(tmp_path: Path) -> None:
    clock = report_clock(path=_record(tmp_path, rtl_sha256="ab12cd34" + "0" * 56))
    assert clock.mhz == 103.0
    assert "from an older RTL (record ab12cd34)" in clock.label
    assert "from an older RTL (record ab12cd34)" in clock.short


def test_clock_without_record_or_given_is_assumed(tmp_path: Path) -> None:
    clock = report_clock(path=tmp_path / "absent.json")
    assert clock.mhz == FALLBACK_MHZ and clock.kind == "assumed" and "assumed" in clock.short
    given = report_clock(62.5, path=_record(tmp_path))
    assert given.mhz == 62.5 and given.kind == "assumed" and "--clock-mhz" in given.label


@pytest.mark.parametrize("field", ["fmax_mhz", "part", "rtl_sha256", "seed"])
def test_record_without_a_needed_field_is_refused(tmp_path: Path, field: str) -> None:
    with pytest.raises(ClockError, match=field):
        recorded_clock(_record(tmp_path, **{field: None}))
