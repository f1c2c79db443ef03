"""The MiniLM demo's checks and printout, shared by the golden run here and the RTL run
(``python -m tb.flows.minilm_demo``, which ``make demo`` calls: it hands the chip's results in).

    python -m models.demo [sentence ...]

runs sentence-transformers all-MiniLM-L6-v2 stage by stage (``models.demo.staged``) on the golden
model: the float and INT8 similarity matrices, the per-sentence cosine of the INT8 embedding
against the float one, and each stage's cycles predicted by the validated cycle model, with the
FFN-down [CLS] handling after (``int32_rows``) and, with ``--compare-cls-split``, before
(``cls_split``) side by side.

All output is printed at the end, so a failure prints one ``error:`` line, nothing else, and
exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from models.demo.minilm import DEMO_SENTENCES, RTL_SEQ_LEN, MiniLMError, default_model, encode, token_ids

FloatArray = np.ndarray


def check_sentences(sentences: Sequence[str]) -> list[int]:
    """Token counts of the sentences; MiniLMError when one is empty or longer than the chip's
    window (or the weights / tokenizer are missing)."""
    model = default_model()
    counts = []
    for s in sentences:
        if not s.strip():
            raise MiniLMError("empty sentence")
        n = len(token_ids(model.tokenizer, s))
        if n > RTL_SEQ_LEN:
            raise MiniLMError(
                f"sentence has {n} tokens with [CLS]/[SEP], more than the supported {RTL_SEQ_LEN}: {s[:40]!r}"
            )
        counts.append(n)
    return counts


def float_embeddings(sentences: Sequence[str], layers: int | None = None) -> FloatArray:
    """Float reference embeddings [n, H] after ``layers`` layers (default all), unpadded."""
    from models.demo.encoder_float import encode_tokens, pool

    model = default_model()
    out = []
    for s in sentences:
        e = encode(model.tokenizer, s, RTL_SEQ_LEN, pad=False)
        out.append(pool(encode_tokens(model, e.ids, e.mask, layers), e.mask))
    return np.array(out)


def matrix(title: str, m: FloatArray) -> list[str]:
    n = m.shape[0]
    lines = [title, "      " + "".join(f"{f'S{j}':>7}" for j in range(n))]
    lines += [f"  S{i:<3}" + "".join(f"{m[i, j]:7.3f}" for j in range(n)) for i in range(n)]
    return lines


def header(sentences: Sequence[str], counts: Sequence[int]) -> list[str]:
    out = ["all-MiniLM-L6-v2 (6 layers, hidden 384, 12 heads) on CompactScaleAiChip arithmetic", ""]
    return out + [
        f"  S{i}  {n:2d} tokens  {s}" for i, (s, n) in enumerate(zip(sentences, counts, strict=True))
    ]


def embedding_lines(f: FloatArray, q: FloatArray, what: str, target: float = 0.98) -> list[str]:
    """The two similarity matrices side by side in time and the per-sentence cosines."""
    cos = (f * q).sum(axis=1)
    out = ["", *matrix("cosine similarity, float reference:", f @ f.T)]
    out += ["", *matrix(f"cosine similarity, {what}:", q @ q.T)]
    out += ["", f"{what} vs float, embedding cosine per sentence: " + " ".join(f"{c:.4f}" for c in cos)]
    out += [f"  minimum {cos.min():.4f} (target >= {target:g})"]
    return out


def stage_table(records: Sequence[dict[str, Any]], measured: bool) -> list[str]:
    """One line per stage name (every layer and sentence has the same shapes at S = 16, so the
    same cycles; the check covers every stage run)."""
    seen: dict[str, dict[str, Any]] = {}
    for r in records:
        seen.setdefault(r["label"].split(".", 1)[1], r)
    head = f"  {'stage':<9} {'GEMMs':>5} {'MACs':>10} {'predicted':>10}"
    out = [head + (f" {'measured':>10} {'error':>7}" if measured else "")]
    for name, r in seen.items():
        line = f"  {name:<9} {r['jobs']:>5} {r['macs']:>10,} {r['predicted']:>10,}"
        if measured:
            line += f" {r['total']:>10,} {100 * (r['predicted'] - r['total']) / r['total']:+6.2f}%"
        out.append(line)
    return out


def host_share_line(chip_cycles: int, clock_mhz: float, clock_label: str) -> str:
    """The host's share of one sentence (all 6 layers, S = RTL_SEQ_LEN tokens) from the host
    model (models/report/host.py: embeddings, LayerNorms, softmax, GELU, residuals, pooling), beside the
    chip's ``chip_cycles`` at ``clock_mhz``: chip + host = end to end (overlap none)."""
    from models.report.host import host_share, load_host
    from models.transformer.accounting import model_vector_ops
    from models.transformer.workloads import Scenario, resolve_model

    host = load_host()
    share = host_share(
        model_vector_ops(resolve_model("all-minilm-l6-v2"), Scenario.encoder(RTL_SEQ_LEN)), host
    )
    chip_s = chip_cycles / (clock_mhz * 1e6)
    return (
        f"  per sentence at {clock_label}: chip {chip_s * 1e3:.2f} ms + host {share.seconds * 1e3:.2f} ms "
        f"(6 layers' non-GEMM work on {host.label().split(' (')[0]}, models/report/host.py, predicted) = "
        f"{(chip_s + share.seconds) * 1e3:.2f} ms end to end (overlap none)"
    )


def golden_demo(sentences: Sequence[str], compare: bool = False, int4: bool = False) -> list[str]:
    """Everything ``python -m models.demo`` prints (raises MiniLMError on bad input)."""
    from models.demo.calibration import default_quant_model
    from models.demo.staged import predicted_chain_cycles, run_golden
    from models.report.clock import report_clock

    counts = check_sentences(sentences)
    f = float_embeddings(sentences)
    out = header(sentences, counts)
    per_mode = {}
    for mode in ("cls_split", "int32_rows") if compare else ("int32_rows",):
        qm = default_quant_model(mode)
        runs = [run_golden(qm, s) for s in sentences]
        q = np.array([e for e, _ in runs])
        records = []
        for st in runs[0][1]:
            m = sum(int(np.prod(j.mnk)) for j in st.jobs)
            records.append(
                {
                    "label": st.label,
                    "jobs": len(st.jobs),
                    "macs": m,
                    "predicted": predicted_chain_cycles(st.jobs)[0],
                }
            )
        per_mode[mode] = (q, records)
    q, records = per_mode["int32_rows"]
    out += embedding_lines(f, q, "INT8 chip arithmetic (golden model, all 6 layers)")
    clock = report_clock()
    total = sum(r["predicted"] for r in records)
    out += ["", f"stages of one layer (S = {RTL_SEQ_LEN}), cycles predicted by the validated cycle model:"]
    out += stage_table(records, measured=False)
    out += [
        f"  whole model ({len(records)} chains, 6 layers): {total:,} cycles per sentence",
        host_share_line(total, clock.mhz, clock.short),
        "",
        "FFN down and the [CLS] row (golden model, cycle model):",
    ]
    for mode, (qm_emb, rec) in per_mode.items():
        down = next(r for r in rec if r["label"] == "L0.ffn_down")
        layer = sum(r["predicted"] for r in rec if r["label"].startswith("L0."))
        cos = (f * qm_emb).sum(axis=1)
        out.append(
            f"  {mode:<10} ffn_down {down['jobs']} GEMM(s) {down['predicted']:>7,} cycles, layer {layer:,}; "
            f"embedding cosine min {cos.min():.4f} mean {cos.mean():.4f}"
        )
    if int4:  # the weights as int4 codes, activations and everything else as above
        q4 = np.array([run_golden(default_quant_model("int32_rows", "int4"), s)[0] for s in sentences])
        what = "INT4 weights (per output column, clipped scales, GPTQ rounding; golden model only)"
        out += ["", *embedding_lines(f, q4, what, target=0.97)]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.demo", description=__doc__.splitlines()[0])
    parser.add_argument(
        "sentences", nargs="*", help=f"sentences (default: the {len(DEMO_SENTENCES)} fixed ones)"
    )
    parser.add_argument(
        "--compare-cls-split",
        action="store_true",
        help="also run the earlier [CLS] split (a second calibration)",
    )
    parser.add_argument(
        "--int4-weights",
        action="store_true",
        help="also the encoder with int4 weights (models/demo/int4_weights.py): cosines beside int8",
    )
    args = parser.parse_args(argv)
    try:
        lines = golden_demo(args.sentences or list(DEMO_SENTENCES), args.compare_cls_split, args.int4_weights)
    except MiniLMError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
