"""Configs, parameter counts and the per-scenario GEMM accounting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.transformer.accounting import (
    GROUP_ATTN_SEQ,
    Gemm,
    layer_gemms,
    model_gemms,
    model_vector_ops,
    weight_matrix_elements,
)
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

# Published parameter counts (model.num_parameters() of the Hugging Face classes named).
PUBLISHED_PARAMETERS = {
    "tinyllama-1.1b": 1_100_048_384,  # LlamaForCausalLM, untied LM head
    "llama-2-7b": 6_738_415_616,  # LlamaForCausalLM, untied LM head
    "distilbert-base-uncased": 66_362_880,  # DistilBertModel: no MLM or classifier head
    "all-minilm-l6-v2": 22_713_216,  # BertModel with pooler
    "bert-tiny": 4_385_920,  # BertModel with pooler
}


@pytest.mark.parametrize("name", sorted(PUBLISHED_PARAMETERS))
def test_parameter_count_matches_published(name: str) -> None:
    assert parameter_count(resolve_model(name)) == PUBLISHED_PARAMETERS[name]


def test_tinyllama_count_by_hand() -> None:
    """1,100,048,384 = 22 x (attention + SwiGLU + 2 norms) + embeddings + LM head + final norm."""
    h, i, kv, v = 2048, 5632, 256, 32000
    per_layer = (2 * h * h + 2 * h * kv) + 3 * h * i + 2 * h
    assert 22 * per_layer + 2 * v * h + h == 1_100_048_384


def test_distilbert_count_by_hand() -> None:
    """Embeddings (word, position, LayerNorm) and 6 layers of biased attention, FFN and 2 LayerNorms."""
    h, i = 768, 3072
    embeddings = 30522 * h + 512 * h + 2 * h
    layer = 4 * (h * h + h) + (h * i + i) + (i * h + h) + 2 * 2 * h
    assert embeddings + 6 * layer == 66_362_880


def test_custom_10m_is_about_10m() -> None:
    spec = resolve_model("custom-10m")
    assert (spec.hidden, spec.intermediate, spec.layers) == (256, 1024, 4)  # the note's figures
    assert 9.5e6 <= parameter_count(spec) <= 10.5e6


def test_bundled_families() -> None:
    families = {name: resolve_model(name).family for name in bundled_models()}
    encoders = {"all-minilm-l6-v2", "bert-base-uncased", "bert-tiny", "distilbert-base-uncased"}
    encoders.add("roberta-base")
    assert {n for n, f in families.items() if f == "encoder"} == encoders
    assert len(families) - len(encoders) >= 10  # decoders of every supported family


def test_tinyllama_uses_grouped_query_attention() -> None:
    spec = resolve_model("tinyllama-1.1b")
    assert (spec.heads, spec.kv_heads, spec.head_dim, spec.kv_dim) == (32, 4, 64, 256)


def test_config_by_path_and_directory(tmp_path: Path) -> None:
    cfg = json.loads(bundled_models()["bert-tiny"].read_text())
    (tmp_path / "mymodel").mkdir()
    (tmp_path / "mymodel" / "config.json").write_text(json.dumps(cfg))
    spec = resolve_model(str(tmp_path / "mymodel"))
    assert spec.name == "mymodel"
    assert parameter_count(spec) == 4_385_920
    assert resolve_model(str(tmp_path / "mymodel" / "config.json")).name == "mymodel"


def test_missing_model_type_is_an_error_not_a_guess() -> None:
    """No silent default: a Qwen2 config without model_type once became a llama, biases lost."""
    cfg = json.loads(bundled_models()["bert-tiny"].read_text())
    del cfg["model_type"]
    with pytest.raises(WorkloadError, match="'model_type' is missing") as err:
        parse_config(cfg, "x")
    assert err.value.field == "model_type"
    assert "qwen2" in str(err.value)  # the supported types are listed


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hidden_size": None}, "hidden_size"),
        ({"num_hidden_layers": 0}, "num_hidden_layers"),
        ({"vocab_size": "big"}, "vocab_size"),
        ({"num_key_value_heads": 5}, "num_key_value_heads"),
        ({"model_type": "mamba"}, "model_type"),
        ({"tie_word_embeddings": "no"}, "tie_word_embeddings"),
    ],
)
def test_bad_llama_config_names_the_field(change: dict[str, object], field: str) -> None:
    cfg = json.loads(bundled_models()["tinyllama-1.1b"].read_text())
    for key, value in change.items():
        if value is None:
            del cfg[key]
        else:
            cfg[key] = value
    with pytest.raises(WorkloadError) as err:
        parse_config(cfg, "t")
    assert err.value.field == field
    assert field in str(err.value)


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(WorkloadError, match="not found"):
        load_config(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(WorkloadError, match="not valid JSON"):
        load_config(bad)
    with pytest.raises(WorkloadError, match="unknown model"):
        resolve_model("no-such-model")


@pytest.mark.parametrize(
    ("model", "scenario", "field"),
    [
        ("bert-tiny", Scenario.decode(16), "scenario"),
        ("tinyllama-1.1b", Scenario.encoder(16), "scenario"),
        ("bert-tiny", Scenario.encoder(513), "max_position_embeddings"),
        ("tinyllama-1.1b", Scenario.decode(2049), "max_position_embeddings"),
        ("tinyllama-1.1b", Scenario.prefill(0), "seq-len"),
        ("tinyllama-1.1b", Scenario.decode(16, batch=0), "batch"),
    ],
)
def test_scenario_that_does_not_fit(model: str, scenario: Scenario, field: str) -> None:
    with pytest.raises(WorkloadError) as err:
        validate_scenario(resolve_model(model), scenario)
    assert err.value.field == field


# --- accounting --------------------------------------------------------------------------------


def shapes(gemms: list[Gemm]) -> dict[str, tuple[int, int, int, int]]:
    return {g.name: (g.m, g.n, g.k, g.count) for g in gemms}


def test_tinyllama_decode_layer_shapes() -> None:
    spec = resolve_model("tinyllama-1.1b")
    got = shapes(layer_gemms(spec, Scenario.decode(100, batch=2), 0))
    assert got == {
        "attn_q": (2, 2048, 2048, 1),
        "attn_k": (2, 256, 2048, 1),
        "attn_v": (2, 256, 2048, 1),
        "attn_scores": (1, 100, 64, 2 * 32),
        "attn_context": (1, 64, 100, 2 * 32),
        "attn_o": (2, 2048, 2048, 1),
        "ffn_gate": (2, 5632, 2048, 1),
        "ffn_up": (2, 5632, 2048, 1),
        "ffn_down": (2, 2048, 5632, 1),
    }


def test_distilbert_encoder_layer_shapes() -> None:
    spec = resolve_model("distilbert-base-uncased")
    got = shapes(layer_gemms(spec, Scenario.encoder(128, batch=3), 0))
    assert got == {
        "attn_q": (384, 768, 768, 1),
        "attn_k": (384, 768, 768, 1),
        "attn_v": (384, 768, 768, 1),
        "attn_scores": (128, 128, 64, 3 * 12),
        "attn_context": (128, 64, 128, 3 * 12),
        "attn_o": (384, 768, 768, 1),
        "ffn_up": (384, 3072, 768, 1),
        "ffn_down": (384, 768, 3072, 1),
    }


def test_decoder_head_only_last_position() -> None:
    spec = resolve_model("tinyllama-1.1b")
    head = model_gemms(spec, Scenario.prefill(64, batch=2))[-1]
    assert (head.name, head.m, head.n, head.k) == ("lm_head", 2, 32000, 2048)
    assert all(g.name != "lm_head" for g in model_gemms(resolve_model("bert-tiny"), Scenario.encoder(8)))


@pytest.mark.parametrize("name", sorted(bundled_models()))
@pytest.mark.parametrize("batch", [1, 3])
def test_weight_macs_equal_weight_elements_per_token(name: str, batch: int) -> None:
    """Each weight element is used once per token row: weight-GEMM MACs = rows x elements."""
    spec = resolve_model(name)
    scenario = default_scenario(spec, seq_len=16, context_len=16, batch=batch)
    gemms = model_gemms(spec, scenario)
    weight_macs = sum(g.macs for g in gemms if g.has_weight and g.name != "lm_head")
    head_macs = sum(g.macs for g in gemms if g.name == "lm_head")
    lm_elements = spec.vocab * spec.hidden if spec.family == "decoder" else 0
    assert weight_macs == scenario.tokens * (weight_matrix_elements(spec) - lm_elements)
    assert head_macs == batch * lm_elements
    weights_read = sum(g.weight_bytes for g in gemms)
    assert weights_read == weight_matrix_elements(spec)


def test_attention_over_sequence_macs() -> None:
    spec = resolve_model("tinyllama-1.1b")
    for scenario in (Scenario.decode(300, batch=2), Scenario.prefill(40, batch=3)):
        seq = [g for g in model_gemms(spec, scenario) if g.group == GROUP_ATTN_SEQ]
        expected = (
            2 * spec.layers * scenario.batch * spec.heads * scenario.seq_len * scenario.context_len * 64
        )
        assert sum(g.macs for g in seq) == expected


def test_vector_ops_are_counted() -> None:
    spec = resolve_model("tinyllama-1.1b")
    ops = model_vector_ops(spec, Scenario.decode(128))
    softmax = [op for op in ops if op.name == "softmax"]
    assert len(softmax) == spec.layers
    assert softmax[0].elements == 32 * 128
    assert sum(op.elements for op in ops if op.name == "rmsnorm") == (2 * spec.layers + 1) * 2048
    argmax = [op for op in ops if op.name == "argmax"]
    assert argmax[0].elements == 32000


def test_workloads_doc_table_matches_the_code() -> None:
    """Every row of the bundled-models table in docs/workloads.md is what the code computes."""
    from models.transformer.workloads import embedding_parameters, head_parameters, layer_parameters

    doc = (Path(__file__).resolve().parent.parent / "docs" / "workloads.md").read_text(encoding="utf-8")
    for name in bundled_models():
        s = resolve_model(name)
        row = (
            f"| `{name}` | {s.arch} | {s.hidden} | {s.intermediate} | {s.layers} | {s.heads} / {s.kv_heads} "
            f"| {s.vocab} | {s.max_positions} | {embedding_parameters(s):,} | {layer_parameters(s):,} "
            f"| {head_parameters(s):,} | {parameter_count(s):,} |"
        )
        assert row in doc, row
    for name in ("all-minilm-l6-v2", "bert-tiny"):  # the doc quotes the counts without the pooler
        s = resolve_model(name)
        assert f"{parameter_count(s) - head_parameters(s):,}" in doc
