"""Hugging Face ``config.json`` -> ``ModelSpec``, one reader per ``model_type``, with each
architecture's own field names and the structure its modelling code builds.

Every reader states which published class it follows (the parameter count is that class's
``num_parameters()``). A field that is required and absent is "missing", one that is present as
``null`` is "null"; an optional field given as ``null`` takes the class's default (that is what
``transformers`` does with it), and the default is named beside each reader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models.transformer.model_spec import ModelSpec, WorkloadError

Config = dict[str, Any]
_MISSING = object()


class _Fields:
    """Typed access to one config's fields; every failure names the field and the config."""

    def __init__(self, cfg: Config, where: str) -> None:
        self.cfg, self.where = cfg, where

    def _fail(self, key: str, what: str) -> WorkloadError:
        return WorkloadError(f"{self.where}: field '{key}' {what}", key)

    def int(self, key: str, default: int | None = None, *, minimum: int = 1) -> int:
        value = self.cfg.get(key, _MISSING)
        if value is _MISSING or value is None:
            if default is not None:
                return default
            raise self._fail(key, "is missing" if value is _MISSING else "is null")
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, f"must be an integer, got {value!r}")
        if value < minimum:
            raise self._fail(key, f"must be at least {minimum}, got {value}")
        return value

    def optional_int(self, key: str) -> int | None:
        return None if self.cfg.get(key) is None else self.int(key)

    def bool(self, key: str, default: bool) -> bool:
        value = self.cfg.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._fail(key, f"must be true or false, got {value!r}")
        return value

    def fraction(self, key: str, default: float) -> float:
        value = self.cfg.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise self._fail(key, f"must be a number in (0, 1], got {value!r}")
        return float(value)

    def heads(self, hidden: int, heads_key: str, kv_key: str | None, head_dim_default: int | None) -> tuple:
        """(heads, kv_heads, head_dim): an explicit ``head_dim`` is honoured; without one the
        hidden size must split evenly over the heads."""
        heads = self.int(heads_key)
        kv_heads = self.int(kv_key, default=heads) if kv_key else heads
        if heads % kv_heads:
            raise self._fail(kv_key or heads_key, f"({kv_heads}) does not divide {heads_key} ({heads})")
        if self.cfg.get("head_dim") is not None:
            return heads, kv_heads, self.int("head_dim")
        if head_dim_default is not None:
            return heads, kv_heads, head_dim_default
        if hidden % heads:
            raise self._fail(
                heads_key, f"({heads}) does not divide the hidden size ({hidden}) and no head_dim is given"
            )
        return heads, kv_heads, hidden // heads


def _decoder_sizes(f: _Fields, head_dim_default: int | None = None) -> dict[str, Any]:
    """The sizes every Llama-like config names alike."""
    hidden = f.int("hidden_size")
    heads, kv_heads, head_dim = f.heads(
        hidden, "num_attention_heads", "num_key_value_heads", head_dim_default
    )
    return dict(
        family="decoder",
        hidden=hidden,
        intermediate=f.int("intermediate_size"),
        layers=f.int("num_hidden_layers"),
        heads=heads,
        kv_heads=kv_heads,
        head_dim=head_dim,
        vocab=f.int("vocab_size"),
        max_positions=f.int("max_position_embeddings"),
        rotary_dims=head_dim,
        norm="rmsnorm",
        final_norm=True,
        gated_ffn=True,
        ffn_act="silu",
    )


def _llama(f: _Fields) -> dict[str, Any]:
    """LlamaForCausalLM (also SmolLM, TinyLlama). attention_bias (default false) biases Q, K, V
    and O; mlp_bias (default false); tie_word_embeddings default false."""
    bias = f.bool("attention_bias", False)
    return _decoder_sizes(f) | dict(
        qkv_bias=bias,
        o_bias=bias,
        mlp_bias=f.bool("mlp_bias", False),
        tied_embeddings=f.bool("tie_word_embeddings", False),
    )


def _mistral(f: _Fields) -> dict[str, Any]:
    """MistralForCausalLM: Llama without biases, sliding-window attention on every layer
    (sliding_window; null: the whole context)."""
    return _decoder_sizes(f) | dict(
        sliding_window=f.optional_int("sliding_window"),
        tied_embeddings=f.bool("tie_word_embeddings", False),
    )


def _qwen2(f: _Fields) -> dict[str, Any]:
    """Qwen2ForCausalLM (Qwen2, Qwen2.5): Q, K and V carry a bias, O does not. A window applies
    only with use_sliding_window, to the layers from max_window_layers on."""
    window = None
    window_from = 0
    if f.bool("use_sliding_window", False):
        window = f.int("sliding_window")
        window_from = f.int("max_window_layers", default=0, minimum=0)
    return _decoder_sizes(f) | dict(
        qkv_bias=True,
        sliding_window=window,
        window_from=window_from,
        tied_embeddings=f.bool("tie_word_embeddings", False),
    )


def _qwen3(f: _Fields) -> dict[str, Any]:
    """Qwen3ForCausalLM: RMSNorm over each head of Q and K; head_dim explicit (default 128);
    attention_bias (default false) biases Q, K, V and O."""
    bias = f.bool("attention_bias", False)
    return _decoder_sizes(f, head_dim_default=128) | dict(
        qkv_bias=bias,
        o_bias=bias,
        qk_norm=True,
        tied_embeddings=f.bool("tie_word_embeddings", False),
    )


def _gemma(f: _Fields) -> dict[str, Any]:
    """GemmaForCausalLM: GeGLU FFN, embeddings scaled by sqrt(hidden), LM head tied, head_dim
    explicit (default 256)."""
    return _decoder_sizes(f, head_dim_default=256) | dict(
        ffn_act="gelu", embedding_scale=True, tied_embeddings=True
    )


def _gemma2(f: _Fields) -> dict[str, Any]:
    """Gemma2ForCausalLM: Gemma with four norms per layer (pre/post attention, pre/post FFN),
    a sliding window on every other layer (layers 0, 2, ...) and tanh soft-capping."""
    caps = ("attn_logit_softcapping", "final_logit_softcapping")
    capped = any(f.cfg.get(key) is not None for key in caps)
    return _gemma(f) | dict(
        norms_per_layer=4,
        sliding_window=f.optional_int("sliding_window"),
        window_every=2,
        softcap=capped,
    )


def _phi(f: _Fields) -> dict[str, Any]:
    """PhiForCausalLM (Phi-1.5, Phi-2): one LayerNorm per layer feeding attention and the FFN in
    parallel, biases on every projection and on the untied LM head, rotary on
    partial_rotary_factor (default 0.5) of each head, GELU FFN (fc1, fc2)."""
    sizes = _decoder_sizes(f)
    rotary = int(sizes["head_dim"] * f.fraction("partial_rotary_factor", 0.5))
    return sizes | dict(
        norm="layernorm",
        norms_per_layer=1,
        parallel_block=True,
        rotary_dims=rotary,
        qkv_bias=True,
        o_bias=True,
        mlp_bias=True,
        gated_ffn=False,
        ffn_act="gelu",
        tied_embeddings=f.bool("tie_word_embeddings", False),
        lm_head_bias=True,
    )


def _phi3(f: _Fields) -> dict[str, Any]:
    """Phi3ForCausalLM: Llama-like with fused qkv_proj and gate_up_proj, no biases, a sliding
    window on every layer (sliding_window; null: none)."""
    return _decoder_sizes(f) | dict(
        fused_qkv=True,
        fused_gate_up=True,
        sliding_window=f.optional_int("sliding_window"),
        tied_embeddings=f.bool("tie_word_embeddings", False),
    )


def _gpt2(f: _Fields) -> dict[str, Any]:
    """GPT2LMHeadModel: learned positions (n_positions), LayerNorm, Conv1D projections with
    biases (c_attn is Q|K|V fused), GELU FFN of n_inner (null: 4 x n_embd), tied LM head, ln_f."""
    hidden = f.int("n_embd")
    heads, _, head_dim = f.heads(hidden, "n_head", None, None)
    return dict(
        family="decoder",
        hidden=hidden,
        intermediate=f.int("n_inner", default=4 * hidden),
        layers=f.int("n_layer"),
        heads=heads,
        kv_heads=heads,
        head_dim=head_dim,
        vocab=f.int("vocab_size"),
        max_positions=f.int("n_positions"),
        learned_positions=True,
        fused_qkv=True,
        qkv_bias=True,
        o_bias=True,
        mlp_bias=True,
        ffn_act="gelu",
        norm="layernorm",
        final_norm=True,
        tied_embeddings=True,
    )


def _bert(f: _Fields) -> dict[str, Any]:
    """BertModel / RobertaModel / XLMRobertaModel with the pooler: learned positions, token types
    (type_vocab_size, default 2), LayerNorm after the embeddings and after each sub-block,
    biased projections, GELU FFN."""
    hidden = f.int("hidden_size")
    heads, _, head_dim = f.heads(hidden, "num_attention_heads", None, None)
    sizes = _encoder(f, hidden, f.int("intermediate_size"), f.int("num_hidden_layers"), heads, head_dim)
    return sizes | dict(type_vocab=f.int("type_vocab_size", default=2), has_pooler=True)


def _distilbert(f: _Fields) -> dict[str, Any]:
    """DistilBertModel: BERT without token types or pooler, fields dim, hidden_dim, n_layers, n_heads."""
    hidden = f.int("dim")
    heads, _, head_dim = f.heads(hidden, "n_heads", None, None)
    return _encoder(f, hidden, f.int("hidden_dim"), f.int("n_layers"), heads, head_dim)


def _encoder(f: _Fields, hidden: int, intermediate: int, layers: int, heads: int, head_dim: int) -> dict:
    return dict(
        family="encoder",
        hidden=hidden,
        intermediate=intermediate,
        layers=layers,
        heads=heads,
        kv_heads=heads,
        head_dim=head_dim,
        vocab=f.int("vocab_size"),
        max_positions=f.int("max_position_embeddings"),
        learned_positions=True,
        embedding_norm=True,
        qkv_bias=True,
        o_bias=True,
        mlp_bias=True,
        ffn_act="gelu",
        norm="layernorm",
        tied_embeddings=True,  # the MLM head is not part of the encoder we count
    )


READERS: dict[str, Callable[[_Fields], dict[str, Any]]] = {
    "llama": _llama,
    "mistral": _mistral,
    "qwen2": _qwen2,
    "qwen3": _qwen3,
    "gemma": _gemma,
    "gemma2": _gemma2,
    "phi": _phi,
    "phi3": _phi3,
    "gpt2": _gpt2,
    "bert": _bert,
    "roberta": _bert,
    "xlm-roberta": _bert,
    "distilbert": _distilbert,
}
SUPPORTED = ", ".join(READERS)


def parse_config(cfg: Any, name: str, source: str | None = None) -> ModelSpec:
    """A ``ModelSpec`` from a parsed config.json, called ``name``; messages cite ``source`` or the name."""
    where = f"config {source or name}"
    if not isinstance(cfg, dict):
        raise WorkloadError(f"{where}: top level must be a JSON object, got {type(cfg).__name__}", "")
    if "model_type" not in cfg:
        raise WorkloadError(f"{where}: field 'model_type' is missing (supported: {SUPPORTED})", "model_type")
    model_type = cfg["model_type"]
    if model_type not in READERS:
        shown = "null" if model_type is None else repr(model_type)
        raise WorkloadError(f"{where}: field 'model_type' is {shown}; supported: {SUPPORTED}", "model_type")
    fields = READERS[model_type](_Fields(cfg, where))
    return ModelSpec(name=name, arch=model_type, **fields)
