"""Token ids and cosine-similarity matrices of sentences with all-MiniLM-L6-v2 (float, optionally INT8).

    python -m models.demo.minilm_cli "A man plays the guitar." "Someone is playing a guitar." [--int8]

Kept apart from ``models/demo/minilm.py`` (the loader) so that the encoders, which import the loader,
are not imported by it: no import circle.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from models.demo.minilm import (
    CALIBRATION_SENTENCES,
    DEMO_SENTENCES,
    FLOAT_SEQ_LEN,
    MiniLMError,
    default_model,
    load_minilm,
    token_ids,
)


def main(argv: list[str] | None = None) -> int:
    """Print token ids and the cosine-similarity matrix (float, optionally INT8) of sentences."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sentences", nargs="+", help="sentences to embed")
    parser.add_argument("--seq-len", type=int, default=FLOAT_SEQ_LEN, help="maximum tokens per sentence")
    parser.add_argument("--int8", action="store_true", help="also run the INT8 chip-arithmetic encoder")
    parser.add_argument("--model-dir", type=Path, default=None, help="folder with the HF model files")
    args = parser.parse_args(argv)
    try:
        from models.demo.encoder_float import embed_sentences

        model = default_model() if args.model_dir is None else load_minilm(args.model_dir)
        for s in args.sentences:
            print(f"{token_ids(model.tokenizer, s)}  {s}")
        emb = embed_sentences(model, args.sentences, args.seq_len)
        print("float cosine similarity:")
        print(np.array2string(emb @ emb.T, precision=3))
        if args.int8:
            from models.demo.calibration import calibrate
            from models.demo.encoder_int8 import embed_sentences_int8

            quant = calibrate(model, CALIBRATION_SENTENCES + DEMO_SENTENCES)
            q = embed_sentences_int8(quant, args.sentences, args.seq_len)
            print("int8 cosine similarity:")
            print(np.array2string(q @ q.T, precision=3))
            print("int8 vs float cosine per sentence:", np.array2string((q * emb).sum(1), precision=4))
    except MiniLMError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
