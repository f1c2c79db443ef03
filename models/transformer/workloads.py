"""Transformer workloads from Hugging Face ``config.json`` files: files, parameters, scenarios.

A config is read by the reader of its ``model_type`` (``models.transformer.architectures``: Llama, Mistral,
Qwen2/2.5, Qwen3, Gemma, Gemma 2, Phi-2, Phi-3, GPT-2, BERT, RoBERTa/XLM-R, DistilBERT) into a
``ModelSpec`` (``models.transformer.model_spec``), or refused with a ``WorkloadError`` naming the field.
``parameter_count`` counts its parameters from the shapes alone, as ``num_parameters()`` of the
published class. Everything here is pure except ``load_config`` and ``resolve_model``, which read
files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from models.transformer.architectures import SUPPORTED, parse_config
from models.transformer.model_spec import Family, ModelSpec, WorkloadError

__all__ = ["SUPPORTED", "Family", "ModelSpec", "WorkloadError", "parse_config"]

CONFIG_DIR = Path(__file__).parent.parent / "configs"

ScenarioKind = Literal["encoder", "prefill", "decode"]
SCENARIO_KINDS: tuple[ScenarioKind, ...] = ("encoder", "prefill", "decode")


@dataclass(frozen=True)
class Scenario:
    """What one run computes.

    encoder  -- every layer over ``seq_len`` tokens, bidirectional (context = seq_len).
    prefill  -- a decoder over a prompt of ``seq_len`` tokens (context = seq_len), logits of the
                last position only.
    decode   -- one new token per sequence attending over ``context_len`` keys (the cache plus
                the new token).
    ``batch`` sequences run together; weights are shared across the batch.
    """

    kind: ScenarioKind
    seq_len: int
    context_len: int
    batch: int = 1

    @classmethod
    def encoder(cls, seq_len: int, batch: int = 1) -> Scenario:
        return cls("encoder", seq_len, seq_len, batch)

    @classmethod
    def prefill(cls, seq_len: int, batch: int = 1) -> Scenario:
        return cls("prefill", seq_len, seq_len, batch)

    @classmethod
    def decode(cls, context_len: int, batch: int = 1) -> Scenario:
        return cls("decode", 1, context_len, batch)

    @property
    def tokens(self) -> int:
        """Token rows that go through the projections and the FFN (M of those GEMMs)."""
        return self.batch * self.seq_len

    def describe(self) -> str:
        if self.kind == "decode":
            return f"decode 1 token, context {self.context_len}, batch {self.batch}"
        return f"{self.kind} {self.seq_len} tokens, batch {self.batch}"


# --- files ------------------------------------------------------------------------------------


def bundled_models() -> dict[str, Path]:
    """Bundled config files by model name (the file name without ``.json``)."""
    return {path.stem: path for path in sorted(CONFIG_DIR.glob("*.json"))}


def load_config(path: Path, name: str | None = None) -> ModelSpec:
    """Read and parse one config.json; every failure is a ``WorkloadError``."""
    label = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise WorkloadError(f"config {label}: file not found", "model") from None
    except IsADirectoryError:
        raise WorkloadError(f"config {label}: is a folder without a config.json", "model") from None
    except OSError as exc:
        raise WorkloadError(f"config {label}: cannot read ({exc.strerror})", "model") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WorkloadError(
            f"config {label}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "a config.json is a UTF-8 JSON object",
            "model",
        ) from None
    try:
        cfg = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise WorkloadError(f"config {label}: not valid JSON ({where})", "model") from None
    return parse_config(cfg, name or path.stem, source=label)


def resolve_model(name_or_path: str) -> ModelSpec:
    """A bundled model by name, or a config.json given by path (a directory means its config.json)."""
    bundled = bundled_models()
    if name_or_path in bundled:
        return parse_config(json.loads(bundled[name_or_path].read_text(encoding="utf-8")), name_or_path)
    path = Path(name_or_path)
    if path.is_dir():
        path = path / "config.json"
    if path.suffix == ".json" or path.exists() or "/" in name_or_path:
        return load_config(
            path, path.parent.name if path.name == "config.json" and path.parent.name else None
        )
    known = ", ".join(bundled)
    raise WorkloadError(
        f"unknown model '{name_or_path}' (bundled: {known}; or give a path to config.json)", "model"
    )


# --- parameters and scenarios -----------------------------------------------------------------


def _norm_weights(spec: ModelSpec) -> int:
    """One norm over the hidden size: RMSNorm has a weight, LayerNorm a weight and a bias."""
    return spec.hidden if spec.norm == "rmsnorm" else 2 * spec.hidden


def attention_parameters(spec: ModelSpec) -> int:
    """Q, K, V, O weights (fused or not: the same elements), their biases, and Q/K head norms."""
    weights = spec.hidden * spec.q_dim * 2 + spec.hidden * spec.kv_dim * 2
    biases = (spec.q_dim + 2 * spec.kv_dim) * spec.qkv_bias + spec.hidden * spec.o_bias
    return weights + biases + (2 * spec.head_dim if spec.qk_norm else 0)


def ffn_parameters(spec: ModelSpec) -> int:
    """FFN weights (and biases) of one layer: gate/up/down (gated) or up/down."""
    if spec.gated_ffn:
        biases = (2 * spec.intermediate + spec.hidden) if spec.mlp_bias else 0
        return 3 * spec.hidden * spec.intermediate + biases
    biases = (spec.intermediate + spec.hidden) if spec.mlp_bias else 0
    return 2 * spec.hidden * spec.intermediate + biases


def norm_parameters(spec: ModelSpec) -> int:
    """The norms of one layer (2 for most, 1 for a parallel block, 4 for Gemma 2)."""
    return spec.norms_per_layer * _norm_weights(spec)


def embedding_parameters(spec: ModelSpec) -> int:
    """Token embeddings, plus learned positions, token types and the embedding LayerNorm."""
    rows = spec.vocab + spec.type_vocab + (spec.max_positions if spec.learned_positions else 0)
    return rows * spec.hidden + (_norm_weights(spec) if spec.embedding_norm else 0)


def head_parameters(spec: ModelSpec) -> int:
    """After the last layer: the final norm, an untied LM head (and its bias), or BERT's pooler."""
    final = _norm_weights(spec) if spec.final_norm else 0
    lm_head = 0
    if spec.family == "decoder" and not spec.tied_embeddings:
        lm_head = spec.vocab * spec.hidden + (spec.vocab if spec.lm_head_bias else 0)
    pooler = (spec.hidden * spec.hidden + spec.hidden) if spec.has_pooler else 0
    return final + lm_head + pooler


def layer_parameters(spec: ModelSpec) -> int:
    return attention_parameters(spec) + ffn_parameters(spec) + norm_parameters(spec)


def parameter_count(spec: ModelSpec) -> int:
    """All parameters, as ``model.num_parameters()`` of the class each reader names
    (models/transformer/architectures.py); a tied LM head is counted once."""
    return embedding_parameters(spec) + spec.layers * layer_parameters(spec) + head_parameters(spec)


def default_scenario(spec: ModelSpec, seq_len: int = 128, context_len: int = 128, batch: int = 1) -> Scenario:
    """Encoder over ``seq_len`` tokens for encoders, one decode step at ``context_len`` for decoders."""
    if spec.family == "encoder":
        return Scenario.encoder(seq_len, batch)
    return Scenario.decode(context_len, batch)


def validate_scenario(spec: ModelSpec, scenario: Scenario) -> None:
    """Raise ``WorkloadError`` if the scenario cannot run on this model."""
    if scenario.kind not in SCENARIO_KINDS:
        raise WorkloadError(f"unknown scenario '{scenario.kind}'", "scenario")
    for field, value in (
        ("seq-len", scenario.seq_len),
        ("context-len", scenario.context_len),
        ("batch", scenario.batch),
    ):
        if value < 1:
            raise WorkloadError(f"{field} must be positive, got {value}", field)
    if scenario.kind == "encoder" and spec.family != "encoder":
        raise WorkloadError(
            f"scenario 'encoder' does not fit decoder {spec.name} (use prefill or decode)", "scenario"
        )
    if scenario.kind in ("prefill", "decode") and spec.family != "decoder":
        raise WorkloadError(
            f"scenario '{scenario.kind}' does not fit encoder {spec.name} (model_type {spec.arch})",
            "scenario",
        )
    if scenario.kind == "decode" and scenario.seq_len != 1:
        raise WorkloadError(f"decode processes 1 token per step, got seq-len {scenario.seq_len}", "seq-len")
    length_field = "context-len" if scenario.kind == "decode" else "seq-len"
    length = scenario.context_len if scenario.kind == "decode" else scenario.seq_len
    if length > spec.max_positions:
        raise WorkloadError(
            f"{length_field} {length} exceeds {spec.name}'s max_position_embeddings ({spec.max_positions})",
            "max_position_embeddings",
        )
