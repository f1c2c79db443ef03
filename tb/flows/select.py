"""Which testbench builds a ``TESTCASE`` / ``ARRAY_N`` / ``BUS_W`` selection runs.

Each ``tb/test_*.py`` runner (a pytest function that builds one block per parameter set) runs the
cocotb tests of its own module, or of the modules named in its ``COCOTB_MODULES`` tuple. A build
is selected when its ARRAY_N / BUS_W parameters (when it has them) equal the knobs and, with
``TESTCASE``, when one of its cocotb tests' full names matches the regex (``re.search``, as
cocotb's ``COCOTB_TEST_FILTER``). tb/conftest.py deselects the rest; ``python -m tb.flows.select``
(the Makefile's pre-check) prints one line and exits 2 when nothing is left.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
SIZE_KEYS = {"ARRAY_N": ("array_n", "ARRAY_N"), "BUS_W": ("bus_w", "BUS_W")}


@cache
def cocotb_tests(module: str) -> tuple[str, ...]:
    """Full names (``module.test``) of the cocotb tests a module defines, as cocotb finds them."""
    from cocotb.regression import Test, TestGenerator

    mod = importlib.import_module(module)
    names: list[str] = []
    for obj in vars(mod).values():
        if isinstance(obj, Test):
            names.append(obj.fullname)
        elif isinstance(obj, TestGenerator):
            names += [t.fullname for t in obj.generate_tests()]
    return tuple(names)


def modules_of(py_module) -> tuple[str, ...]:
    """The cocotb modules a pytest module's runner simulates."""
    return tuple(getattr(py_module, "COCOTB_MODULES", (py_module.__name__,)))


def knob_mismatch(params: dict) -> bool:
    """True when a build's parameters contradict the ARRAY_N / BUS_W knobs."""
    for knob, keys in SIZE_KEYS.items():
        want = os.environ.get(knob)
        vals = [params[k] for k in keys if k in params]
        if want and vals and str(vals[0]) != want:
            return True
    return False


def testcase_matches(py_module) -> bool:
    pattern = os.environ.get("TESTCASE")
    if not pattern:
        return True
    rx = re.compile(pattern)
    return any(rx.search(name) for m in modules_of(py_module) for name in cocotb_tests(m))


def problem(builds: list[tuple[object, dict]]) -> str | None:
    """Why a selection is empty (one line), or None. ``builds``: (pytest module, parameters)."""
    pattern = os.environ.get("TESTCASE")
    if pattern:
        try:
            re.compile(pattern)
        except re.error as e:
            return f"error: TESTCASE={pattern!r} is not a valid regex ({e})"
    for knob, keys in SIZE_KEYS.items():
        want = os.environ.get(knob)
        have = sorted({str(p[k]) for _, p in builds for k in keys if k in p}, key=int)
        if want and want not in have:
            return f"error: no testbench build has {knob}={want} (builds have {', '.join(have)})"
    named = [b for b in builds if testcase_matches(b[0])]
    if pattern and not named:
        return f"error: no cocotb test matches TESTCASE={pattern!r} in tb/test_*.py"
    if not [b for b in named if not knob_mismatch(b[1])]:
        knobs = " ".join(f"{k}={os.environ[k]}" for k in SIZE_KEYS if os.environ.get(k))
        return f"error: no build that contains TESTCASE={pattern!r} has {knobs}"
    return None


def all_builds() -> list[tuple[object, dict]]:
    """(pytest module, parameters) of every runner build in tb/test_*.py (from the parametrize
    marks; a runner without one is one build without parameters)."""
    sys.path.insert(0, str(REPO))
    out: list[tuple[object, dict]] = []
    import pytest

    for path in sorted((REPO / "tb").glob("test_*.py")):
        try:
            mod = importlib.import_module(f"tb.{path.stem}")
        except pytest.skip.Exception:  # a runner whose optional extras are missing: not a build
            continue
        for name, fn in vars(mod).items():
            if not (name.startswith("test_") and callable(fn)) or hasattr(fn, "_cocotb_test"):
                continue
            if getattr(fn, "__module__", "") != mod.__name__ or not hasattr(fn, "__code__"):
                continue
            marks = [m for m in getattr(fn, "pytestmark", []) if m.name == "parametrize"]
            if not marks:
                out.append((mod, {}))
                continue
            argnames, values = marks[0].args[0], marks[0].args[1]
            keys = [a.strip() for a in argnames.split(",")] if isinstance(argnames, str) else list(argnames)
            for v in values:
                regress_only = any(m.name == "regress_only" for m in getattr(v, "marks", ()))
                if regress_only and not os.environ.get("CSAI_REGRESS"):
                    continue
                v = getattr(v, "values", v)
                v = v if isinstance(v, (tuple, list)) else (v,)
                out.append((mod, dict(zip(keys, v, strict=False))))
    return out


def main() -> int:
    try:
        msg = problem(all_builds())
    except Exception as e:  # an unimportable test module: say so in one line
        msg = f"error: could not list the testbenches ({e.__class__.__name__}: {e})"
    if msg:
        print(msg, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
