"""One place for the replay rule of random tests.

cocotb 2.x reseeds every test from the run seed (``COCOTB_RANDOM_SEED``) and the test's own name,
so a test's ``cocotb.RANDOM_SEED`` is not what to pass back: the run seed is. ``tb/env/sim.py``
always chooses the run seed (``SEED`` when given, else a fresh one) and hands it to the test
process as ``CSAI_RUN_SEED``; ``log_seed`` logs how to replay and returns the test's seed.
"""

from __future__ import annotations

import os

import cocotb


def log_seed(dut) -> int:
    """The seed this test draws its stimulus from; logs the command that replays it."""
    seed = int(cocotb.RANDOM_SEED)
    dut._log.info("seed=%d (replay: SEED=%s TESTCASE=%s)", seed, run_seed(), current_test())
    return seed


def current_test() -> str:
    """The name of the running cocotb test (cocotb 2.1's regression manager), or a placeholder."""
    try:
        from cocotb import regression

        return str(regression._manager_inst._test.name)
    except (ImportError, AttributeError):
        return "<this test>"


def run_seed() -> str:
    return os.environ.get("CSAI_RUN_SEED", "?")
