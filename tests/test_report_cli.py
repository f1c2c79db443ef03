"""``python -m models.report`` end to end, and its refusals of bad input (exit 2, one line)."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from models.report.differences import DOC_PATH, difference_rows, render_table, updated_doc
from models.transformer.workloads import bundled_models

REPO = Path(__file__).resolve().parent.parent
OUTPUTS = {
    "report.md",
    "report.json",
    "summary.csv",
    "gemms.csv",
    "latency.png",
    "chip_host_split.png",
    "layer_breakdown.png",
    "roofline.png",
}


def run_report(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "models.report", *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )


def test_help() -> None:
    r = run_report("--help")
    assert r.returncode == 0
    for option in (
        "--model",
        "--scenario",
        "--seq-len",
        "--context-len",
        "--batch",
        "--clock-mhz",
        "--array-n",
    ):
        assert option in r.stdout
    for option in ("--bus-bits", "--mem-latency", "--sparsity", "--out", "--add-non-gemm"):
        assert option in r.stdout


def test_every_bundled_model(tmp_path: Path) -> None:
    """The whole report for every bundled model: files, contents and the timing line (the time
    itself is a recorded figure of `make report`, not asserted here)."""
    out = tmp_path / "report"
    r = run_report("--memory", "ideal", "--out", str(out))  # the DRAM default: test_dram_default_...
    assert r.returncode == 0, r.stderr
    assert re.search(r"^report: \d+ model\(s\) in [\d.]+ s wall, [\d.]+ s CPU$", r.stdout, re.M), r.stdout
    assert {p.name for p in out.iterdir()} == OUTPUTS
    assert not list(out.glob("*.tmp"))
    doc = json.loads((out / "report.json").read_text())
    assert "validated against the chip RTL" in doc["cycle_model"]
    assert "make validate" in doc["cycle_model"]
    models = {m["model"]: m for m in doc["models"]}
    assert set(models) == set(bundled_models())
    assert models["tinyllama-1.1b"]["params"] == 1_100_048_384
    assert models["tinyllama-1.1b"]["scenario"]["kind"] == "decode"
    assert models["bert-tiny"]["scenario"] == {
        "kind": "encoder",
        "seq_len": 128,
        "context_len": 128,
        "batch": 1,
    }
    assert models["tinyllama-1.1b"]["note_figure"].startswith("50.6 s")
    assert models["tinyllama-1.1b"]["note_over_ours"] > 1
    for m in doc["models"]:
        assert {g["source"] for g in m["gemms"]} <= {"measured", "model", "model (extrapolated)"}
        assert m["cycles"] == sum(g["cycles"] for g in m["gemms"])
        assert m["macs"] == sum(g["macs"] for g in m["gemms"])
    rows = list(csv.DictReader((out / "summary.csv").open()))
    assert [row["model"] for row in rows] == [m["model"] for m in doc["models"]]
    assert (out / "latency.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "tinyllama-1.1b" in r.stdout and "50.6 s/token" in r.stdout
    assert "validated against the chip RTL" in (out / "report.md").read_text()
    gemm_rows = list(csv.DictReader((out / "gemms.csv").open()))
    assert {row["source"] for row in gemm_rows} <= {"measured", "model", "model (extrapolated)"}
    assert any(row["source"] == "model (extrapolated)" for row in gemm_rows)


def test_one_model_by_path_and_options(tmp_path: Path) -> None:
    config = bundled_models()["tinyllama-1.1b"]
    out = tmp_path / "r"
    r = run_report(
        "--model", str(config), "--scenario", "prefill", "--seq-len", "64", "--batch", "2",
        "--array-n", "16", "--bus-bits", "128", "--clock-mhz", "200", "--sparsity", "0.5",
        "--memory", "ideal", "--no-plots", "--out", str(out),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = json.loads((out / "report.json").read_text())
    (model,) = doc["models"]
    assert model["scenario"] == {"kind": "prefill", "seq_len": 64, "context_len": 64, "batch": 2}
    assert doc["chip"]["array_n"] == 16
    assert model["throughput_unit"] == "tokens/s"
    assert not (out / "latency.png").exists()


def test_scenario_selects_fitting_bundled_models(tmp_path: Path) -> None:
    r = run_report(
        "--scenario", "encoder", "--seq-len", "32", "--memory", "ideal", "--no-plots",
        "--out", str(tmp_path / "r"),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = json.loads((tmp_path / "r" / "report.json").read_text())
    assert {m["family"] for m in doc["models"]} == {"encoder"}


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _missing_field_config(tmp_path: Path) -> str:
    cfg = json.loads(bundled_models()["bert-tiny"].read_text())
    del cfg["hidden_size"]
    return _write(tmp_path, "nohidden.json", json.dumps(cfg))


BAD_INPUTS: dict[str, tuple[Callable[[Path], list[str]], str]] = {
    "unknown model": (lambda t: ["--model", "gpt-5"], "unknown model"),
    "missing config": (lambda t: ["--model", str(t / "absent" / "config.json")], "not found"),
    "not json": (lambda t: ["--model", _write(t, "x.json", "{oops")], "not valid JSON"),
    "missing field": (lambda t: ["--model", _missing_field_config(t)], "hidden_size"),
    "negative seq-len": (lambda t: ["--seq-len", "-4"], "--seq-len"),
    "zero context-len": (lambda t: ["--context-len", "0"], "--context-len"),
    "zero batch": (lambda t: ["--batch", "0"], "--batch"),
    "text length": (lambda t: ["--seq-len", "long"], "--seq-len"),
    "decode on encoder": (lambda t: ["--model", "bert-tiny", "--scenario", "decode"], "decode"),
    "encoder on decoder": (lambda t: ["--model", "custom-10m", "--scenario", "encoder"], "encoder"),
    "too long": (lambda t: ["--model", "bert-tiny", "--seq-len", "513"], "max_position_embeddings"),
    "context too long": (
        lambda t: ["--model", "custom-10m", "--context-len", "4096"],
        "max_position_embeddings",
    ),
    "seq-len on decode": (lambda t: ["--scenario", "decode", "--seq-len", "8"], "--seq-len"),
    "sparsity range": (lambda t: ["--sparsity", "1.5"], "--sparsity"),
    "bus bits": (lambda t: ["--bus-bits", "12"], "--bus-bits"),
    "clock": (lambda t: ["--clock-mhz", "0"], "--clock-mhz"),
    "scenario name": (lambda t: ["--scenario", "train"], "--scenario"),
    "out is a file": (lambda t: ["--out", _write(t, "file", "")], "--out"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line(tmp_path: Path, case: str) -> None:
    make_args, expected = BAD_INPUTS[case]
    args = make_args(tmp_path)
    if "--out" not in args:
        args += ["--out", str(tmp_path / "out")]
    r = run_report(*args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert expected in lines[0]
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()  # nothing written


def test_bad_model_among_good_ones_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = run_report("--model", "bert-tiny", "--model", "nonexistent", "--out", str(out))
    assert r.returncode == 2
    assert not out.exists()


def test_seed_differences_doc_is_current() -> None:
    """The numbers table in docs/seed_differences.md is what the code computes now."""
    text = DOC_PATH.read_text(encoding="utf-8")
    assert updated_doc(text, render_table(difference_rows())) == text


def test_sweep_context_len_writes_points_and_bounds(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    r = run_report("--model", "tinyllama-1.1b", "--sweep", "context-len=64,1024", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert {p.name for p in out.iterdir()} == {
        f"sweep_context-len.{ext}" for ext in ("md", "json", "csv", "png")
    }
    points = json.loads((out / "sweep_context-len.json").read_text())["points"]
    assert [p["context-len"] for p in points] == [64, 1024]
    assert points[1]["cycles"] > points[0]["cycles"]  # longer context, more attention work
    for p in points:  # no schedule beats the bound; a decode token is bus-bound
        assert p["bound_cycles"] <= p["cycles"] and p["binds"] == "bus"


def test_sweep_array_n_moves_the_compute_bound(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    r = run_report("--model", "bert-tiny", "--sweep", "array-n=4,8", "--out", str(out), "--no-plots")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader((out / "sweep_array-n.csv").open()))
    assert [int(row["array-n"]) for row in rows] == [4, 8]
    assert float(rows[0]["latency_s"]) > float(rows[1]["latency_s"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--sweep", "speed=1,2"), "KNOB one of"),
        (("--sweep", "batch=4"), "at least two distinct"),
        (("--sweep", "batch=1,x"), "must be integers"),
        (("--sweep", "bus-bits=64,100"), "multiples of 8"),
        (("--model", "bert-tiny", "--sweep", "context-len=8,16"), "decode only"),
        (("--model", "tinyllama-1.1b", "--sweep", "context-len=8,4096"), "max_position_embeddings"),
    ],
)
def test_bad_sweep_one_line_exit_2_nothing_written(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    out = tmp_path / "never"
    r = run_report(*args, "--out", str(out))
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and not out.exists()


# --- the host's share, the memory label and the clock (issue 9 item 4, issue 10 item 3) --------


def _host_file(tmp_path: Path, drop: str | None = None, **values: object) -> str:
    from models.report.host import DEFAULT_HOST

    doc = json.loads(DEFAULT_HOST.read_text())
    if drop:
        del doc[drop]
    for field, value in values.items():
        doc[field]["value"] = value
    return _write(tmp_path, "host.json", json.dumps(doc))


def _timing_record(tmp_path: Path, rtl_sha256: str | None = None) -> str:
    """A provisional place-and-route record (the fpga branch writes the real one)."""
    from models.report.clock import rtl_hash

    rec = {
        "part": "LFE5U-85F",
        "package": "CABGA381",
        "speed_grade": 8,
        "seed": 1,
        "tools": {"yosys": "0.47", "nextpnr": "0.7"},
        "array_n": 8,
        "bus_w": 64,
        "fmax_mhz": 50.9,
        "target_mhz": 100,
        "utilisation": {},
        "rtl_sha256": rtl_sha256 or rtl_hash(),
        "command": "make fpga",
        "date": "2026-12-02",
    }
    return _write(tmp_path, "fpga_timing_record.json", json.dumps(rec))


HOST_BAD_INPUTS: dict[str, tuple[Callable[[Path], list[str]], str]] = {
    "host missing field": (
        lambda t: ["--host", _host_file(t, drop="f32_ops_per_cycle")],
        "'f32_ops_per_cycle'",
    ),
    "host bad value": (lambda t: ["--host", _host_file(t, clock_mhz=-1)], "clock_mhz.value"),
    "host not json": (lambda t: ["--host", _write(t, "h.json", "{")], "not valid JSON"),
    "host absent": (lambda t: ["--host", str(t / "nohost.json")], "not found"),
    "memory name": (lambda t: ["--memory", "hbm"], "--memory"),
    "overlap name": (lambda t: ["--overlap", "always"], "--overlap"),
    "record lacks a field": (
        lambda t: ["--clock-record", _write(t, "r.json", json.dumps({"part": "x"}))],
        "speed_grade",
    ),
}


@pytest.mark.parametrize("case", sorted(HOST_BAD_INPUTS))
def test_bad_host_memory_or_record_exits_2_with_one_line(tmp_path: Path, case: str) -> None:
    make_args, expected = HOST_BAD_INPUTS[case]
    out = tmp_path / "out"
    r = run_report("--model", "bert-tiny", *make_args(tmp_path), "--out", str(out))
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()


def test_every_output_names_memory_clock_and_host(tmp_path: Path) -> None:
    """Markdown, JSON, both CSVs and every plot say which memory, clock and host; chip + host =
    end to end (overlap none)."""
    out = tmp_path / "r"
    no_record = tmp_path / "no_record.json"  # the assumed clock, whatever models/ has recorded
    r = run_report(
        "--model", "bert-tiny", "--model", "custom-10m", "--clock-record", str(no_record),
        "--memory", "ideal", "--out", str(out),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    md = (out / "report.md").read_text()
    for text in ("ideal memory", "the bound", "100 MHz, assumed", "Cortex-A53", "end to end"):
        assert text in md and text in r.stdout, text
    doc = json.loads((out / "report.json").read_text())
    assert doc["memory"]["model"] == "ideal" and "the bound" in doc["memory"]["label"]
    assert (
        doc["clock"]
        == {
            "mhz": 100.0,
            "kind": "assumed",
            "label": doc["clock"]["label"],
            "record": None,
        }
        and "assumed" in doc["clock"]["label"]
    )
    assert doc["host"]["name"] == "Cortex-A53" and "cores_used" in doc["host"]["assumed"]
    for m in doc["models"]:
        assert m["memory"] == "ideal" and m["clock_source"] == "100 MHz, assumed"
        assert m["host_s"] > 0 and m["end_to_end_s"] == pytest.approx(m["chip_s"] + m["host_s"], rel=1e-12)
        assert m["host_s"] == pytest.approx(sum(v["seconds"] for v in m["host_by_op"].values()), rel=1e-12)
    for name in ("summary.csv", "gemms.csv"):
        rows = list(csv.DictReader((out / name).open()))
        assert {row["memory"] for row in rows} == {"ideal"}
        assert {row["clock_mhz"] for row in rows} == {"100.0"}
    for png in out.glob("*.png"):
        data = png.read_bytes()
        for text in (b"ideal memory", b"100 MHz, assumed", b"Cortex-A53"):
            assert text in data, (png.name, text)


def test_recorded_clock_and_its_older_rtl_label(tmp_path: Path) -> None:
    current = _timing_record(tmp_path)
    quick = (
        "--model",
        "bert-tiny",
        "--memory",
        "ideal",
        "--no-plots",
        "--out",
    )  # DRAM cycles follow the clock
    r = run_report("--clock-record", current, *quick, str(tmp_path / "a"))
    assert r.returncode == 0, r.stderr
    a = json.loads((tmp_path / "a" / "report.json").read_text())
    assert a["chip"]["clock_mhz"] == 50.0 and a["clock"]["kind"] == "recorded"
    assert "LFE5U-85F" in a["models"][0]["clock_source"] and "older RTL" not in r.stdout
    stale = _timing_record(tmp_path, rtl_sha256="deadbeef" + "0" * 56)
    r = run_report("--clock-record", stale, *quick, str(tmp_path / "b"))
    assert r.returncode == 0, r.stderr
    label = "from an older RTL (record deadbeef)"
    assert label in r.stdout and label in (tmp_path / "b" / "report.md").read_text()
    b = json.loads((tmp_path / "b" / "report.json").read_text())
    assert label in b["models"][0]["clock_source"]
    assert b["models"][0]["chip_s"] == pytest.approx(a["models"][0]["chip_s"])  # same clock, only a label
    r = run_report(
        "--model", "bert-tiny", "--clock-record", current, "--clock-mhz", "200", "--memory", "ideal",
        "--no-plots", "--out", str(tmp_path / "c"),
    )  # fmt: skip
    c = json.loads((tmp_path / "c" / "report.json").read_text())
    assert c["clock"]["kind"] == "assumed" and c["chip"]["clock_mhz"] == 200.0
    assert c["models"][0]["chip_s"] == pytest.approx(a["models"][0]["chip_s"] / 4)


def test_pipelined_overlap_and_the_hypothetical_vector_unit(tmp_path: Path) -> None:
    quick = ("--model", "all-minilm-l6-v2", "--memory", "ideal", "--no-plots", "--out")
    r = run_report("--overlap", "pipelined", *quick, str(tmp_path / "p"))
    assert r.returncode == 0, r.stderr
    (p,) = json.loads((tmp_path / "p" / "report.json").read_text())["models"]
    assert max(p["chip_s"], p["host_s"]) <= p["end_to_end_s"] < p["chip_s"] + p["host_s"]
    assert "optimistic bound" in (tmp_path / "p" / "report.md").read_text()
    r = run_report("--add-non-gemm", *quick, str(tmp_path / "v"))
    assert r.returncode == 0, r.stderr
    doc = json.loads((tmp_path / "v" / "report.json").read_text())
    (v,) = doc["models"]
    assert doc["host"] is None and v["host_s"] == 0 and v["end_to_end_s"] == v["chip_s"]
    assert "HYPOTHETICAL" in (tmp_path / "v" / "report.md").read_text()


def test_readme_figures_are_current() -> None:
    """The README's end-to-end block is what the code computes now, with the clock's label."""
    from models.report.readme_figures import README, render, results, updated_readme

    text = README.read_text(encoding="utf-8")
    assert updated_readme(text, render(results())) == text


def test_dram_is_the_default_memory_with_the_ideal_bound_beside(tmp_path: Path) -> None:
    """With no --memory the cycles come from the DRAM model at the report's clock: every output
    names it, the ideal memory's chip time stands beside as the bound, and a memory-bound decode
    costs more on the DRAM than the bound (refresh, row misses, whole 64-byte atoms)."""
    out = tmp_path / "r"
    r = run_report("--model", "bert-tiny", "--model", "custom-10m", "--clock-mhz", "100", "--out", str(out))
    assert r.returncode == 0, r.stderr
    md = (out / "report.md").read_text()
    for text in ("DRAM model (tb/hdl/dram_model.v: DDR3-1600K", "at 100 MHz", "chip, ideal memory (bound)"):
        assert text in md and text in r.stdout, text
    doc = json.loads((out / "report.json").read_text())
    assert doc["memory"]["model"] == "dram" and doc["chip"]["memory"] == "dram"
    models = {m["model"]: m for m in doc["models"]}
    for m in models.values():
        assert m["memory"] == "dram" and m["ideal_memory_cycles"] > 0
    decode = models["custom-10m"]
    assert decode["cycles"] > decode["ideal_memory_cycles"], decode
    ideal = run_report("--model", "custom-10m", "--clock-mhz", "100", "--memory", "ideal", "--no-plots",
                       "--out", str(tmp_path / "i"))  # fmt: skip
    assert ideal.returncode == 0, ideal.stderr
    i = json.loads((tmp_path / "i" / "report.json").read_text())["models"][0]
    assert i["cycles"] == decode["ideal_memory_cycles"] and i.get("ideal_memory_cycles") is None
    for png in out.glob("*.png"):
        assert b"DRAM model" in png.read_bytes(), png.name
