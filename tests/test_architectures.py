"""Every architecture reader: published parameter counts, the GEMM list's structure, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from models.transformer.accounting import layer_gemms, model_gemms, model_vector_ops, weight_matrix_elements
from models.transformer.architectures import READERS
from models.transformer.workloads import (
    Scenario,
    WorkloadError,
    bundled_models,
    default_scenario,
    load_config,
    parameter_count,
    parse_config,
    resolve_model,
    validate_scenario,
)

REPO = Path(__file__).resolve().parent.parent

# Published totals: model.num_parameters() of the class each reader follows (tied heads counted
# once), as the model cards and the Hugging Face hub's safetensors metadata give them; the rounded
# figure the model card quotes is beside each.
PUBLISHED = {
    "gpt2": (124_439_808, "GPT2LMHeadModel; model card '124M parameters'"),
    "qwen2-0.5b": (494_032_768, "Qwen2ForCausalLM; Qwen2 model card '0.49B'"),
    "qwen2.5-0.5b": (494_032_768, "Qwen2ForCausalLM; Qwen2.5 model card 'Number of Parameters: 0.49B'"),
    "qwen3-0.6b": (596_049_920, "Qwen3ForCausalLM; model card '0.6B, non-embedding 0.44B'"),
    "smollm-135m": (134_515_008, "LlamaForCausalLM; SmolLM model card '135M'"),
    "llama-3.2-1b": (1_235_814_400, "LlamaForCausalLM; Llama 3.2 model card '1.23B'"),
    "mistral-7b-v0.1": (7_241_732_096, "MistralForCausalLM; Mistral 7B paper/model card '7.24B'"),
    "gemma-2b": (2_506_172_416, "GemmaForCausalLM; Gemma model card '2B' (2.51B with embeddings)"),
    "gemma-2-2b": (2_614_341_888, "Gemma2ForCausalLM; Gemma 2 model card '2.6B'"),
    "phi-2": (2_779_683_840, "PhiForCausalLM; Phi-2 model card '2.7 billion parameters' (2.78B)"),
    "phi-3-mini-4k": (3_821_079_552, "Phi3ForCausalLM; Phi-3 model card '3.8B parameters'"),
    "bert-base-uncased": (109_482_240, "BertModel with pooler; BERT model card '110M parameters'"),
    "roberta-base": (124_645_632, "RobertaModel with pooler; RoBERTa model card '125M parameters'"),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_parameter_count(name: str) -> None:
    assert parameter_count(resolve_model(name)) == PUBLISHED[name][0], PUBLISHED[name][1]


def test_every_reader_has_a_bundled_config() -> None:
    archs = {resolve_model(n).arch for n in bundled_models()}
    assert set(READERS) - archs <= {"xlm-roberta"}  # XLM-R is RoBERTa's reader under its own name
    assert len(archs) >= 10


def _scenarios(spec) -> list[Scenario]:
    if spec.family == "encoder":
        return [Scenario.encoder(64), Scenario.encoder(16, batch=2)]
    return [Scenario.decode(128), Scenario.prefill(32), Scenario.decode(64, batch=4)]


@pytest.mark.parametrize("name", sorted(bundled_models()))
def test_every_scenario_that_fits_accounts(name: str) -> None:
    """Weights are read once per forward pass; weight-GEMM MACs = token rows x weight elements."""
    spec = resolve_model(name)
    for scenario in _scenarios(spec):
        validate_scenario(spec, scenario)
        gemms = model_gemms(spec, scenario)
        assert sum(g.weight_bytes for g in gemms) == weight_matrix_elements(spec)
        body = sum(g.macs for g in gemms if g.has_weight and g.name != "lm_head")
        head = spec.vocab * spec.hidden if spec.family == "decoder" else 0
        assert body == scenario.tokens * (weight_matrix_elements(spec) - head)
        assert all(op.elements > 0 for op in model_vector_ops(spec, scenario))


def names(spec, scenario=None, layer: int = 0) -> list[str]:
    return [g.name for g in layer_gemms(spec, scenario or default_scenario(spec), layer)]


def test_gpt2_fused_qkv_and_learned_positions() -> None:
    spec = resolve_model("gpt2")
    assert names(spec) == ["attn_qkv", "attn_scores", "attn_context", "attn_o", "ffn_up", "ffn_down"]
    qkv = layer_gemms(spec, Scenario.decode(10), 0)[0]
    assert (qkv.m, qkv.n, qkv.k) == (1, 3 * 768, 768)
    assert spec.intermediate == 4 * 768  # n_inner null -> 4 x n_embd
    ops = {op.name for op in model_vector_ops(spec, Scenario.decode(10))}
    assert "position_add" in ops and "rotary" not in ops and "layernorm" in ops


def test_phi3_fused_projections() -> None:
    spec = resolve_model("phi-3-mini-4k")
    assert names(spec) == ["attn_qkv", "attn_scores", "attn_context", "attn_o", "ffn_gate_up", "ffn_down"]
    gate_up = layer_gemms(spec, Scenario.decode(10), 0)[4]
    assert (gate_up.n, gate_up.k) == (2 * 8192, 3072)


def test_qwen2_biases_and_untied_variants() -> None:
    spec = resolve_model("qwen2-0.5b")
    assert spec.qkv_bias and not spec.o_bias and spec.tied_embeddings
    cfg = json.loads(bundled_models()["qwen2-0.5b"].read_text())
    untied = parse_config(cfg | {"tie_word_embeddings": False}, "untied")
    assert parameter_count(untied) - parameter_count(spec) == 151936 * 896


def test_qwen3_explicit_head_dim_and_qk_norm() -> None:
    spec = resolve_model("qwen3-0.6b")
    assert (spec.head_dim, spec.q_dim, spec.kv_dim) == (128, 2048, 1024)  # not 1024 / 16 = 64
    q = layer_gemms(spec, Scenario.decode(8), 0)[0]
    assert (q.n, q.k) == (2048, 1024)


def test_explicit_head_dim_is_honoured_by_the_divisibility_check() -> None:
    """Gemma 2 2B: hidden 2304 over 8 heads is 288, but head_dim is 256; no error, and 256 used."""
    spec = resolve_model("gemma-2-2b")
    assert (spec.hidden % spec.heads, spec.head_dim) == (0, 256)
    cfg = json.loads(bundled_models()["llama-3.2-1b"].read_text()) | {"hidden_size": 2050, "head_dim": 64}
    assert parse_config(cfg, "odd").head_dim == 64  # 2050 % 32 != 0, head_dim given
    del cfg["head_dim"]
    with pytest.raises(WorkloadError, match="does not divide"):
        parse_config(cfg, "odd")


def test_mistral_window_bounds_attention() -> None:
    spec = resolve_model("mistral-7b-v0.1")
    short = {g.name: g for g in layer_gemms(spec, Scenario.decode(1000), 0)}
    long = {g.name: g for g in layer_gemms(spec, Scenario.decode(8000), 0)}
    assert short["attn_scores"].n == 1000 and long["attn_scores"].n == 4096
    assert long["attn_context"].k == 4096


def test_gemma2_window_on_every_other_layer_and_four_norms() -> None:
    spec = resolve_model("gemma-2-2b")
    scenario = Scenario.decode(6000)
    keys = [next(g.n for g in layer_gemms(spec, scenario, i) if g.name == "attn_scores") for i in range(4)]
    assert keys == [4096, 6000, 4096, 6000]
    assert spec.norms_per_layer == 4 and spec.softcap
    ops = [op.name for op in model_vector_ops(spec, Scenario.decode(16)) if op.layer == 0]
    assert ops.count("rmsnorm") == 4 and "softcap" in ops and "geglu" in ops


def test_gemma_embedding_scale_and_tied_head() -> None:
    spec = resolve_model("gemma-2b")
    assert spec.tied_embeddings and spec.ffn_kind == "geglu" and spec.kv_heads == 1
    assert "embedding_scale" in {op.name for op in model_vector_ops(spec, Scenario.decode(4))}


def test_phi2_parallel_block_partial_rotary_and_head_bias() -> None:
    spec = resolve_model("phi-2")
    assert spec.parallel_block and spec.lm_head_bias and not spec.tied_embeddings
    assert spec.rotary_dims == 32  # 0.4 x 80
    ops = [op for op in model_vector_ops(spec, Scenario.decode(16)) if op.layer == 0]
    assert [op.name for op in ops].count("layernorm") == 1
    rotary = next(op for op in ops if op.name == "rotary")
    assert rotary.elements == (32 + 32) * 32


# --- bad input --------------------------------------------------------------------------------


def test_unknown_model_type_lists_the_supported_ones() -> None:
    with pytest.raises(WorkloadError, match="supported: llama, mistral, qwen2") as err:
        parse_config({"model_type": "mamba"}, "m")
    assert err.value.field == "model_type"


def test_null_is_named_null_not_missing() -> None:
    cfg = json.loads(bundled_models()["tinyllama-1.1b"].read_text()) | {"hidden_size": None}
    with pytest.raises(WorkloadError, match="'hidden_size' is null"):
        parse_config(cfg, "t")
    with pytest.raises(WorkloadError, match="'model_type' is null"):
        parse_config(cfg | {"model_type": None}, "t")


def test_not_an_object() -> None:
    with pytest.raises(WorkloadError, match="top level must be a JSON object, got list"):
        parse_config([1, 2], "l")


def run_report(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "models.report", "--no-plots", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe{\x00}\x00", "not UTF-8 text"),
        (bytes(range(256)), "not UTF-8 text"),
        (b"[1, 2, 3]", "top level must be a JSON object"),
        (b'{"hidden_size": 8}', "'model_type' is missing"),
        (b'{"model_type": "gpt2", "n_embd": null}', "'n_embd' is null"),
    ],
)
def test_bad_config_file_one_line_exit_2_nothing_written(
    tmp_path: Path, content: bytes, message: str
) -> None:
    cfg = tmp_path / "config.json"
    cfg.write_bytes(content)
    with pytest.raises(WorkloadError, match=message):
        load_config(cfg)
    out = tmp_path / "out"
    r = run_report("--model", str(cfg), "--out", str(out))
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and message in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not out.exists()
