"""The shapes of a transformer, in one vocabulary for every architecture the report reads.

``ModelSpec`` is what ``models.transformer.architectures`` makes of a Hugging Face ``config.json``; the
parameter count and the GEMM accounting (``models.transformer.accounting``) read only this. Every field is a
fact of the published architecture (what its modelling code builds), not of the chip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Family = Literal["decoder", "encoder"]
Norm = Literal["rmsnorm", "layernorm"]


class WorkloadError(ValueError):
    """A config or a scenario that cannot be used; ``field`` names the offending field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ModelSpec:
    """One transformer. Sizes first, then the structural choices that change the GEMM list or the
    parameter count (each with the architectures that make it)."""

    name: str
    arch: str  # the config's model_type: llama, gpt2, qwen2, qwen3, mistral, gemma, gemma2, phi, ...
    family: Family
    hidden: int
    intermediate: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    max_positions: int
    # embeddings
    learned_positions: bool = False  # a max_positions x hidden table (BERT, GPT-2); else rotary
    type_vocab: int = 0  # token-type embeddings (BERT); 0 when absent
    embedding_norm: bool = False  # LayerNorm right after the embeddings (BERT family)
    embedding_scale: bool = False  # embeddings multiplied by sqrt(hidden) (Gemma)
    rotary_dims: int = 0  # dims per head that rotary positions turn (Phi-2: a fraction of head_dim)
    # attention
    fused_qkv: bool = False  # one Q|K|V projection (GPT-2 c_attn, Phi-3 qkv_proj)
    qkv_bias: bool = False  # Q, K and V projections carry a bias (BERT, GPT-2, Qwen2, Phi-2)
    o_bias: bool = False  # the output projection carries a bias (BERT, GPT-2, Phi-2)
    qk_norm: bool = False  # RMSNorm over each head of Q and K, weights of head_dim (Qwen3)
    sliding_window: int | None = None  # keys a query attends to at most (Mistral, Gemma 2)
    window_every: int = 1  # the window applies to layers 0, w, 2w, ... (Gemma 2: every other layer)
    window_from: int = 0  # ... and only from this layer on (Qwen2's max_window_layers)
    softcap: bool = False  # tanh soft-capping of attention scores and final logits (Gemma 2)
    # FFN
    gated_ffn: bool = False  # gate and up projections, act(gate) * up (SwiGLU, GeGLU)
    fused_gate_up: bool = False  # gate|up as one projection (Phi-3 gate_up_proj)
    ffn_act: str = "gelu"  # silu or gelu (of the gate when gated)
    mlp_bias: bool = False  # FFN projections carry a bias
    # norms and structure
    norm: Norm = "layernorm"
    norms_per_layer: int = 2  # 2 pre- or post-norms; 1 for a parallel block (Phi-2); 4 (Gemma 2)
    parallel_block: bool = False  # attention and FFN read the same normed input (Phi-2)
    final_norm: bool = False  # a norm after the last layer (decoders)
    # head
    tied_embeddings: bool = True  # LM head shares the embedding matrix (decoders)
    lm_head_bias: bool = False  # the LM head carries a bias (Phi-2)
    has_pooler: bool = False  # BertModel's pooler (dense H x H + tanh); counted in parameters only

    @property
    def ffn_kind(self) -> str:
        if not self.gated_ffn:
            return self.ffn_act
        return "swiglu" if self.ffn_act == "silu" else "geglu"

    @property
    def q_dim(self) -> int:
        return self.heads * self.head_dim

    @property
    def kv_dim(self) -> int:
        return self.kv_heads * self.head_dim

    def window_of(self, layer: int) -> int | None:
        """The attention window of ``layer`` (None: the whole context)."""
        if self.sliding_window is None or layer < self.window_from or layer % self.window_every:
            return None
        return self.sliding_window

    def keys_attended(self, layer: int, context: int) -> int:
        """Keys one query attends to in ``layer`` at ``context`` positions: min(context, window)."""
        window = self.window_of(layer)
        return context if window is None else min(context, window)
