"""Transformer workloads from Hugging Face style ``config.json`` files.

Two families are understood:

* Llama-style decoders (``model_type`` "llama"): RMSNorm, rotary positions, grouped-query
  attention (``num_key_value_heads``), SwiGLU FFN (gate, up, down), LM head tied or not.
* BERT-style encoders (``model_type`` "bert" or "distilbert"): learned positions, LayerNorm,
  biased linear layers, GELU FFN (up, down). DistilBERT names its fields ``dim``, ``hidden_dim``,
  ``n_layers``, ``n_heads``; it has no token types and no pooler.

``parse_config`` turns a config into a ``ModelSpec`` (or raises ``WorkloadError`` naming the
field); ``parameter_count`` counts its parameters from the shapes alone. Everything here is
pure except ``load_config`` and ``resolve_model``, which read files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

CONFIG_DIR = Path(__file__).parent / "configs"

Family = Literal["decoder", "encoder"]
ScenarioKind = Literal["encoder", "prefill", "decode"]
SCENARIO_KINDS: tuple[ScenarioKind, ...] = ("encoder", "prefill", "decode")


class WorkloadError(ValueError):
    """A config or a scenario that cannot be used; ``field`` names the offending field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ModelSpec:
    """The shapes of a transformer, in one vocabulary for both families."""

    name: str
    arch: str  # "llama", "bert" or "distilbert"
    family: Family
    hidden: int
    intermediate: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    max_positions: int
    type_vocab: int  # token-type embeddings (BERT); 0 when absent
    tied_embeddings: bool  # LM head shares the embedding matrix (decoders)
    linear_bias: bool  # attention projections carry a bias
    mlp_bias: bool  # FFN projections carry a bias
    has_pooler: bool  # BertModel's pooler (dense H x H + tanh); counted in parameters only

    @property
    def ffn_kind(self) -> str:
        return "swiglu" if self.family == "decoder" else "gelu"

    @property
    def q_dim(self) -> int:
        return self.heads * self.head_dim

    @property
    def kv_dim(self) -> int:
        return self.kv_heads * self.head_dim


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


# --- config parsing ---------------------------------------------------------------------------


def _int_field(cfg: dict[str, Any], key: str, where: str, default: int | None = None) -> int:
    if key not in cfg or cfg[key] is None:
        if default is None:
            raise WorkloadError(f"{where}: field '{key}' is missing", key)
        return default
    value = cfg[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise WorkloadError(f"{where}: field '{key}' must be an integer, got {value!r}", key)
    if value < 1:
        raise WorkloadError(f"{where}: field '{key}' must be positive, got {value}", key)
    return value


def _bool_field(cfg: dict[str, Any], key: str, where: str, default: bool) -> bool:
    value = cfg.get(key, default)
    if not isinstance(value, bool):
        raise WorkloadError(f"{where}: field '{key}' must be true or false, got {value!r}", key)
    return value


def _model_type(cfg: dict[str, Any], where: str) -> str:
    """``model_type`` if given, else inferred from the field names (some configs omit it)."""
    if "model_type" in cfg:
        model_type = cfg["model_type"]
    elif "n_layers" in cfg and "dim" in cfg:
        model_type = "distilbert"
    elif "num_key_value_heads" in cfg or "rms_norm_eps" in cfg:
        model_type = "llama"
    elif "type_vocab_size" in cfg:
        model_type = "bert"
    else:
        raise WorkloadError(f"{where}: field 'model_type' is missing and cannot be inferred", "model_type")
    if model_type not in ("llama", "bert", "distilbert"):
        raise WorkloadError(
            f"{where}: field 'model_type' is {model_type!r}; supported: llama, bert, distilbert", "model_type"
        )
    return str(model_type)


def _split_heads(hidden: int, heads: int, where: str, heads_key: str) -> int:
    if hidden % heads:
        raise WorkloadError(
            f"{where}: field '{heads_key}' ({heads}) does not divide the hidden size", heads_key
        )
    return hidden // heads


def parse_config(cfg: Any, name: str, source: str | None = None) -> ModelSpec:
    """A ``ModelSpec`` from a parsed config.json, called ``name``; messages cite ``source`` or the name."""
    where = f"config {source or name}"
    if not isinstance(cfg, dict):
        raise WorkloadError(f"{where}: top level must be a JSON object", "")
    arch = _model_type(cfg, where)
    if arch == "llama":
        hidden = _int_field(cfg, "hidden_size", where)
        heads = _int_field(cfg, "num_attention_heads", where)
        kv_heads = _int_field(cfg, "num_key_value_heads", where, default=heads)
        if heads % kv_heads:
            raise WorkloadError(
                f"{where}: field 'num_key_value_heads' ({kv_heads}) does not divide "
                f"num_attention_heads ({heads})",
                "num_key_value_heads",
            )
        head_dim = _int_field(
            cfg, "head_dim", where, default=_split_heads(hidden, heads, where, "num_attention_heads")
        )
        return ModelSpec(
            name=name,
            arch=arch,
            family="decoder",
            hidden=hidden,
            intermediate=_int_field(cfg, "intermediate_size", where),
            layers=_int_field(cfg, "num_hidden_layers", where),
            heads=heads,
            kv_heads=kv_heads,
            head_dim=head_dim,
            vocab=_int_field(cfg, "vocab_size", where),
            max_positions=_int_field(cfg, "max_position_embeddings", where),
            type_vocab=0,
            tied_embeddings=_bool_field(cfg, "tie_word_embeddings", where, False),
            linear_bias=_bool_field(cfg, "attention_bias", where, False),
            mlp_bias=_bool_field(cfg, "mlp_bias", where, False),
            has_pooler=False,
        )
    keys = (
        ("dim", "hidden_dim", "n_layers", "n_heads")
        if arch == "distilbert"
        else ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads")
    )
    hidden, intermediate, layers, heads = (_int_field(cfg, key, where) for key in keys)
    type_vocab = 0 if arch == "distilbert" else _int_field(cfg, "type_vocab_size", where, default=2)
    return ModelSpec(
        name=name,
        arch=arch,
        family="encoder",
        hidden=hidden,
        intermediate=intermediate,
        layers=layers,
        heads=heads,
        kv_heads=heads,
        head_dim=_split_heads(hidden, heads, where, keys[3]),
        vocab=_int_field(cfg, "vocab_size", where),
        max_positions=_int_field(cfg, "max_position_embeddings", where),
        type_vocab=type_vocab,
        tied_embeddings=True,  # the MLM head is not part of the encoder we count
        linear_bias=True,
        mlp_bias=True,
        has_pooler=arch == "bert",
    )


# --- files ------------------------------------------------------------------------------------


def bundled_models() -> dict[str, Path]:
    """Bundled config files by model name (the file name without ``.json``)."""
    return {path.stem: path for path in sorted(CONFIG_DIR.glob("*.json"))}


def load_config(path: Path, name: str | None = None) -> ModelSpec:
    """Read and parse one config.json; every failure is a ``WorkloadError``."""
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WorkloadError(f"config {label}: file not found", "model") from None
    except OSError as exc:
        raise WorkloadError(f"config {label}: cannot read ({exc.strerror})", "model") from None
    try:
        cfg = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise WorkloadError(f"config {label}: not valid JSON ({exc})", "model") from None
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


def attention_parameters(spec: ModelSpec) -> int:
    """Q, K, V, O weights (and biases) of one layer."""
    weights = spec.hidden * spec.q_dim * 2 + spec.hidden * spec.kv_dim * 2
    biases = (spec.q_dim + 2 * spec.kv_dim + spec.hidden) if spec.linear_bias else 0
    return weights + biases


def ffn_parameters(spec: ModelSpec) -> int:
    """FFN weights (and biases) of one layer: gate/up/down (SwiGLU) or up/down (GELU)."""
    if spec.ffn_kind == "swiglu":
        biases = (2 * spec.intermediate + spec.hidden) if spec.mlp_bias else 0
        return 3 * spec.hidden * spec.intermediate + biases
    biases = (spec.intermediate + spec.hidden) if spec.mlp_bias else 0
    return 2 * spec.hidden * spec.intermediate + biases


def norm_parameters(spec: ModelSpec) -> int:
    """Two norms per layer: RMSNorm has a weight, LayerNorm a weight and a bias."""
    per_norm = spec.hidden if spec.family == "decoder" else 2 * spec.hidden
    return 2 * per_norm


def embedding_parameters(spec: ModelSpec) -> int:
    """Token embeddings, plus learned positions, token types and the embedding LayerNorm (encoders)."""
    tokens = spec.vocab * spec.hidden
    if spec.family == "decoder":
        return tokens
    return tokens + (spec.max_positions + spec.type_vocab) * spec.hidden + 2 * spec.hidden


def head_parameters(spec: ModelSpec) -> int:
    """After the last layer: final RMSNorm and untied LM head (decoders) or the pooler (BERT)."""
    if spec.family == "decoder":
        return spec.hidden + (0 if spec.tied_embeddings else spec.vocab * spec.hidden)
    return (spec.hidden * spec.hidden + spec.hidden) if spec.has_pooler else 0


def layer_parameters(spec: ModelSpec) -> int:
    return attention_parameters(spec) + ffn_parameters(spec) + norm_parameters(spec)


def parameter_count(spec: ModelSpec) -> int:
    """All parameters, as ``model.num_parameters()`` of LlamaForCausalLM / BertModel / DistilBertModel."""
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
