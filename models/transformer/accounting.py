"""Exact work of one scenario: every GEMM with its shape and count, and the non-GEMM work.

GEMM convention (the chip's): C[M x N] = A[M x K] . B[K x N]; A is the activation, B the weight
(or, for attention over the sequence, the K or V cache), int8 operands, int8 output.

Per layer, with T = batch x seq_len token rows, S_q query positions per sequence (1 in decode)
and L keys (the context):

    attn_q        M=T    N=heads*d     K=H            count 1
    attn_k/attn_v M=T    N=kv_heads*d  K=H            count 1   (grouped-query attention)
    attn_scores   M=S_q  N=L           K=d            count B*heads   (Q . K^T per head)
    attn_context  M=S_q  N=d           K=L            count B*heads   (softmax(scores) . V)
    attn_o        M=T    N=H           K=heads*d      count 1
    ffn_gate/up   M=T    N=I           K=H            (SwiGLU: gate and up; GELU: up only)
    ffn_down      M=T    N=H           K=I

After the last layer a decoder has ``lm_head`` (M=B, N=vocab, K=H) on the last position of each
sequence only (generation needs no other logits). Encoders stop at the last hidden states: no
pooler or classifier GEMM is charged (the pooler is counted in parameters only; a classifier is
a 1 x H x classes product, negligible). Prefill charges the full S x S score matrix (the causal
mask is applied in the softmax; skipping the upper-triangle tiles is not modelled).

Non-GEMM work (``VectorOp``) runs on the host CPU by default: it is listed with its element
count, the int8 bytes it reads and writes in shared memory (int32 for the partial sums of a GEMM
with K > KMAX), the host's SIMD lane operations by lane width (``HOST_LANE_OPS``, timed by
``models/report/host.py``) and a scalar-op estimate (``OPS_PER_ELEMENT``) for the hypothetical on-chip
vector unit (``vector_op_cycles``, only when the report is asked to add non-GEMM work). The
per-element costs and where they come from: docs/workloads.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from models.cycle.cycle_engine import KMAX
from models.transformer.workloads import ModelSpec, Scenario

GROUP_ATTN_PROJ = "attention projections"
GROUP_ATTN_SEQ = "attention over the sequence"
GROUP_FFN = "FFN"
GROUP_LM_HEAD = "LM head"
GEMM_GROUPS = (GROUP_ATTN_PROJ, GROUP_ATTN_SEQ, GROUP_FFN, GROUP_LM_HEAD)

# Scalar operations per element, rough host costs (documented in docs/workloads.md).
OPS_PER_ELEMENT = {
    "embedding_lookup": 0,  # a gather: bytes only
    "embedding_sum_layernorm": 9,  # word + position + type (2 adds) and a LayerNorm (7)
    "rmsnorm": 4,  # square, accumulate, multiply by rsqrt, multiply by weight
    "rotary": 3,  # x*cos + rotate_half(x)*sin: 2 multiplies and 1 add per element
    "softmax": 5,  # max, subtract, exp, accumulate, divide (1/sqrt(d) folded into requant)
    "swiglu": 5,  # silu(gate) * up: exp, add, divide, multiply, multiply
    "gelu": 8,  # tanh approximation
    "geglu": 9,  # gelu(gate) * up: the tanh approximation and a multiply
    "layernorm": 7,  # mean, subtract, square, variance, scale, weight, bias
    "softcap": 3,  # cap * tanh(x / cap): divide, tanh, multiply (Gemma 2)
    "position_add": 1,  # learned position embedding added to the token embedding (GPT-2)
    "embedding_scale": 1,  # embeddings times sqrt(hidden) (Gemma)
    "residual_add": 1,
    "residual_add3": 2,  # x + attention + FFN of a parallel block (Phi-2)
    "residual_layernorm": 8,  # residual add (1), LayerNorm (7: mean, sub, square, var, scale, weight, bias)
    "argmax": 1,  # greedy pick over the logits
    "partial_sum_requant": 4,  # per output element, plus one add per extra K chunk (see _partial_sum_op)
}


@dataclass(frozen=True)
class LaneOps:
    """Host SIMD lane operations (one lane of one vector instruction each), by lane width.
    ``convert`` is the part of the 32-bit work that dequantizes int8 inputs and requantizes int8
    outputs between the chip's stages (kept apart so the report can show it)."""

    int8: int = 0
    int32: int = 0
    f32: int = 0
    convert: int = 0

    def __mul__(self, n: int) -> LaneOps:
        return LaneOps(self.int8 * n, self.int32 * n, self.f32 * n, self.convert * n)

    def __add__(self, o: LaneOps) -> LaneOps:
        return LaneOps(self.int8 + o.int8, self.int32 + o.int32, self.f32 + o.f32, self.convert + o.convert)

    @property
    def wide(self) -> int:
        """Lane ops on 32-bit lanes (int32, float32 and the conversions)."""
        return self.int32 + self.f32 + self.convert


# Host lane ops per element of each op (docs/workloads.md derives every figure). Conversions:
# DEQ = 3 per int8 input (widen, convert to float, scale), QUANT = 3 per int8 output (scale,
# round-convert, saturating narrow). EXP = 15: the main path of glibc's Advanced SIMD expf
# (sysdeps/aarch64/fpu/expf_advsimd.c); RECIP = 5: reciprocal estimate and two Newton steps.
DEQ, QUANT, EXP, RECIP = 3, 3, 15, 5
SIGMOID = 1 + EXP + 1 + RECIP  # negate, exp, add 1, reciprocal
TANH = 1 + EXP + 1 + RECIP + 1  # 1 - 2 / (exp(2y) + 1)
LAYERNORM = 5  # mean accumulate, subtract, square accumulate, scale by 1/std, gamma/beta FMA
HOST_LANE_OPS = {
    "embedding_lookup": LaneOps(),  # a gather: bytes only
    "embedding_sum_layernorm": LaneOps(f32=2 + LAYERNORM, convert=3 * DEQ + QUANT),
    "rmsnorm": LaneOps(f32=3, convert=DEQ + QUANT),  # square accumulate, scale, weight
    "rotary": LaneOps(f32=3, convert=DEQ + QUANT),  # x*cos, rotate_half, FMA by sin
    "softmax": LaneOps(f32=2 + EXP + 2, convert=DEQ + QUANT),  # max, subtract, exp, sum, scale
    "swiglu": LaneOps(f32=SIGMOID + 2, convert=2 * DEQ + QUANT),  # gate * sigmoid(gate) * up
    "gelu": LaneOps(f32=4 + TANH + 3, convert=DEQ + QUANT),  # tanh form: 4 before, 3 after tanh
    "geglu": LaneOps(f32=4 + TANH + 3 + 1, convert=2 * DEQ + QUANT),  # gelu(gate) * up
    "layernorm": LaneOps(f32=LAYERNORM, convert=DEQ + QUANT),
    "softcap": LaneOps(f32=1 + TANH + 1, convert=DEQ + QUANT),  # cap * tanh(x / cap)
    "position_add": LaneOps(f32=1, convert=2 * DEQ + QUANT),  # token + learned position (GPT-2)
    "embedding_scale": LaneOps(f32=1, convert=DEQ + QUANT),  # x sqrt(hidden) (Gemma)
    "residual_add3": LaneOps(f32=2, convert=3 * DEQ + QUANT),  # x + attention + FFN (Phi-2)
    "residual_add": LaneOps(f32=1, convert=2 * DEQ + QUANT),
    "residual_layernorm": LaneOps(f32=1 + LAYERNORM, convert=2 * DEQ + QUANT),
    "argmax": LaneOps(int8=2),  # max over int8 logits, then the first index equal to it
    "partial_sum_requant": LaneOps(int32=1, convert=1 + QUANT),  # + (chunks - 1) int32 adds
}


@dataclass(frozen=True)
class Gemm:
    """``count`` identical GEMMs C[m x n] = A[m x k] . B[k x n] in one layer (``layer`` None: after
    the last layer). Byte fields are per instance, int8."""

    name: str
    group: str
    layer: int | None
    m: int
    n: int
    k: int
    count: int
    weight_bytes: int  # B operand bytes when B is a weight (0 when B is an activation)
    act_bytes: int  # activation operand bytes (A, plus B when B is an activation)
    out_bytes: int  # C bytes written

    @property
    def macs(self) -> int:
        return self.m * self.n * self.k * self.count

    @property
    def has_weight(self) -> bool:
        """Block sparsity applies to weight operands only (not to Q, K, V or scores)."""
        return self.weight_bytes > 0


@dataclass(frozen=True)
class VectorOp:
    """Element-wise or reduction work that is not a GEMM: ``ops`` scalar ops (the hypothetical
    vector unit's count) and ``lanes`` host SIMD lane ops in total."""

    name: str
    layer: int | None
    elements: int
    bytes_read: int
    bytes_written: int
    ops: int
    lanes: LaneOps


def _weight_gemm(name: str, group: str, layer: int | None, m: int, n: int, k: int) -> Gemm:
    return Gemm(name, group, layer, m, n, k, 1, weight_bytes=k * n, act_bytes=m * k, out_bytes=m * n)


def _activation_gemm(name: str, layer: int, m: int, n: int, k: int, count: int) -> Gemm:
    return Gemm(
        name, GROUP_ATTN_SEQ, layer, m, n, k, count, weight_bytes=0, act_bytes=m * k + k * n, out_bytes=m * n
    )


def layer_gemms(spec: ModelSpec, scenario: Scenario, layer: int) -> list[Gemm]:
    """The GEMMs of one transformer layer, in execution order. A fused projection (GPT-2's
    c_attn, Phi-3's qkv_proj and gate_up_proj) is one GEMM over the concatenated outputs; a
    windowed layer attends to min(context, window) keys."""
    t, h, d = scenario.tokens, spec.hidden, spec.head_dim
    heads_total = scenario.batch * spec.heads
    s_q, keys = scenario.seq_len, spec.keys_attended(layer, scenario.context_len)
    if spec.fused_qkv:
        gemms = [_weight_gemm("attn_qkv", GROUP_ATTN_PROJ, layer, t, spec.q_dim + 2 * spec.kv_dim, h)]
    else:
        gemms = [
            _weight_gemm("attn_q", GROUP_ATTN_PROJ, layer, t, spec.q_dim, h),
            _weight_gemm("attn_k", GROUP_ATTN_PROJ, layer, t, spec.kv_dim, h),
            _weight_gemm("attn_v", GROUP_ATTN_PROJ, layer, t, spec.kv_dim, h),
        ]
    gemms += [
        _activation_gemm("attn_scores", layer, s_q, keys, d, heads_total),
        _activation_gemm("attn_context", layer, s_q, d, keys, heads_total),
        _weight_gemm("attn_o", GROUP_ATTN_PROJ, layer, t, h, spec.q_dim),
    ]
    if spec.fused_gate_up:
        gemms.append(_weight_gemm("ffn_gate_up", GROUP_FFN, layer, t, 2 * spec.intermediate, h))
    else:
        if spec.gated_ffn:
            gemms.append(_weight_gemm("ffn_gate", GROUP_FFN, layer, t, spec.intermediate, h))
        gemms.append(_weight_gemm("ffn_up", GROUP_FFN, layer, t, spec.intermediate, h))
    gemms.append(_weight_gemm("ffn_down", GROUP_FFN, layer, t, h, spec.intermediate))
    return gemms


def head_gemms(spec: ModelSpec, scenario: Scenario) -> list[Gemm]:
    """After the last layer: the LM head of a decoder on the last position of each sequence."""
    if spec.family != "decoder":
        return []
    return [_weight_gemm("lm_head", GROUP_LM_HEAD, None, scenario.batch, spec.vocab, spec.hidden)]


def model_gemms(spec: ModelSpec, scenario: Scenario) -> list[Gemm]:
    """Every GEMM of the scenario, layer by layer, then the head."""
    gemms = [g for layer in range(spec.layers) for g in layer_gemms(spec, scenario, layer)]
    return gemms + head_gemms(spec, scenario)


def _op(name: str, layer: int | None, elements: int, inputs: int = 1) -> VectorOp:
    return VectorOp(
        name,
        layer,
        elements,
        bytes_read=inputs * elements,
        bytes_written=elements,
        ops=elements * OPS_PER_ELEMENT[name],
        lanes=HOST_LANE_OPS[name] * elements,
    )


def _partial_sum_op(g: Gemm, kmax: int = KMAX) -> VectorOp:
    """A GEMM with K > KMAX runs as ceil(K / KMAX) GEMMs writing int32 partial outputs
    (models/cycle/cycle_model.py); the host reads them all, adds them (chunks - 1 adds), adds the
    bias and requantizes to int8."""
    chunks = -(-g.k // kmax)
    elements = g.m * g.n * g.count
    lanes = HOST_LANE_OPS["partial_sum_requant"] + LaneOps(int32=chunks - 1)
    return VectorOp(
        "partial_sum_requant",
        g.layer,
        elements,
        bytes_read=4 * chunks * elements,
        bytes_written=elements,
        ops=elements * (OPS_PER_ELEMENT["partial_sum_requant"] + chunks - 1),
        lanes=lanes * elements,
    )


def partial_sum_ops(gemms: list[Gemm], kmax: int = KMAX) -> list[VectorOp]:
    """The host's partial-sum work for every GEMM whose K exceeds the controller's KMAX."""
    return [_partial_sum_op(g, kmax) for g in gemms if g.k > kmax]


def _decoder_layer_ops(spec: ModelSpec, scenario: Scenario, layer: int) -> list[VectorOp]:
    """Pre-norm decoder layer: norm, (Q/K norms), rotary, (soft-cap), softmax, then either the
    FFN after the attention residual or, in a parallel block, both sums at once."""
    t, h, i = scenario.tokens, spec.hidden, spec.intermediate
    keys = spec.keys_attended(layer, scenario.context_len)
    scores = scenario.batch * spec.heads * scenario.seq_len * keys
    act = _op(spec.ffn_kind, layer, t * i, inputs=2) if spec.gated_ffn else _op("gelu", layer, t * i)
    ops = [_op(spec.norm, layer, t * h)]
    if spec.qk_norm:
        ops.append(_op("rmsnorm", layer, t * (spec.q_dim + spec.kv_dim)))
    if not spec.learned_positions:
        ops.append(_op("rotary", layer, t * (spec.heads + spec.kv_heads) * spec.rotary_dims))
    if spec.softcap:
        ops.append(_op("softcap", layer, scores))
    ops.append(_op("softmax", layer, scores))
    if spec.parallel_block:
        return [*ops, act, _op("residual_add3", layer, t * h, inputs=3)]
    post = [_op(spec.norm, layer, t * h)] if spec.norms_per_layer == 4 else []
    residual = _op("residual_add", layer, t * h, inputs=2)
    return [*ops, *post, residual, _op(spec.norm, layer, t * h), act, *post, residual]


def layer_vector_ops(spec: ModelSpec, scenario: Scenario, layer: int) -> list[VectorOp]:
    """Non-GEMM work of one layer (int8 tensors in shared memory, read and written once)."""
    if spec.family == "decoder":
        return _decoder_layer_ops(spec, scenario, layer)
    t, h, i = scenario.tokens, spec.hidden, spec.intermediate
    scores = scenario.batch * spec.heads * scenario.seq_len * scenario.context_len
    return [
        _op("softmax", layer, scores),
        _op("residual_layernorm", layer, t * h, inputs=2),
        _op("gelu", layer, t * i),
        _op("residual_layernorm", layer, t * h, inputs=2),
    ]


def model_vector_ops(spec: ModelSpec, scenario: Scenario) -> list[VectorOp]:
    """Embedding, every layer's non-GEMM work, and the decoder's final norm and token pick."""
    t, h, b = scenario.tokens, spec.hidden, scenario.batch
    if spec.family == "decoder":
        first = [_op("embedding_lookup", None, t * h)]
        if spec.learned_positions:
            first.append(_op("position_add", None, t * h, inputs=2))
        if spec.embedding_scale:
            first.append(_op("embedding_scale", None, t * h))
        logits = b * spec.vocab
        last = [_op(spec.norm, None, b * h)]
        if spec.softcap:
            last.append(_op("softcap", None, logits))
        last.append(
            VectorOp(
                "argmax",
                None,
                logits,
                logits,
                4 * b,
                ops=logits * OPS_PER_ELEMENT["argmax"],
                lanes=HOST_LANE_OPS["argmax"] * logits,
            )
        )
    else:
        first = [_op("embedding_sum_layernorm", None, t * h, inputs=3)]
        last = []
    layers = []
    for layer in range(spec.layers):
        layers += layer_vector_ops(spec, scenario, layer)
        layers += partial_sum_ops(layer_gemms(spec, scenario, layer))
    return first + layers + partial_sum_ops(head_gemms(spec, scenario)) + last


def vector_op_cycles(op: VectorOp, *, lanes: int, bus_w_bytes: int) -> int:
    """Cycles on a hypothetical on-chip vector unit of ``lanes`` scalar ops per cycle sharing the
    bus (the chip has no such unit; used only when the report is asked to add non-GEMM work)."""
    return max(ceil(op.ops / lanes), ceil((op.bytes_read + op.bytes_written) / bus_w_bytes))


def weight_matrix_elements(spec: ModelSpec) -> int:
    """Elements of every weight matrix a forward pass multiplies by (linear layers and LM head)."""
    per_layer = 2 * spec.hidden * spec.q_dim + 2 * spec.hidden * spec.kv_dim
    ffn_matrices = 3 if spec.gated_ffn else 2
    per_layer += ffn_matrices * spec.hidden * spec.intermediate
    lm_head = spec.vocab * spec.hidden if spec.family == "decoder" else 0
    return spec.layers * per_layer + lm_head
