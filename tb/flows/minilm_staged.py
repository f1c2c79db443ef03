"""The whole MiniLM encoder on the simulated chip, stage by stage, in ONE simulation.

``run_staged_on_chip(sentences, layers, stages)`` (plain Python) starts the cocotb test below on
tb/hdl/chip_harness.v through ``tb.env.sim.run_cocotb`` (so it runs on whatever simulator tb/env/sim.py
selects) and returns, per sentence, the embedding computed from the chip's results and, per stage,
the chip's PERF counters and the cycle model's prediction.

Inside the simulation, for every sentence and every stage of ``models.demo.staged.sentence_stages``:
the stage's operands (computed on the host from what the chip wrote in the previous stages) are
laid out in a fresh memory image (C areas filled with random bytes), loaded in bulk, chained, run
with one START and one interrupt, the memory dumped in bulk, every C read back and compared with
the golden model on the same operands, and the results handed to the host step. A stage whose C
differs stops the run: its operands are saved (the ``tb.flows.chip_executor`` jobs format, replayable
with ``python -m tb.flows.minilm_demo --replay FILE``) and the stage is named in ``failure.json``.

Knob for the failure path: ``CSAI_MINILM_CORRUPT=L<layer>.<stage>`` flips one bit of that stage's
first C after the dump (as a faulty chip would), for the tests.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent.parent
WORK = REPO / "build" / "minilm"
# 1 MB of memory holds the largest stage (ffn_up / ffn_down: a 384 x 1536 weight matrix); a
# smaller image than the 4 MB default makes every bulk load and dump quicker
PARAMS = {"ARRAY_N": 8, "BUS_W": 64, "KMAX": 2048, "MEM_BYTES": 1 << 20}
LATENCY = (20, 20)  # ideal memory model read / write latency in cycles (the cycle model's default)


class StageMismatch(Exception):
    """A stage's chip result differs from the golden model (message: the stage and replay file)."""


@dataclass
class StagedRun:
    embeddings: np.ndarray  # [n, H] unit embeddings from the chip's results
    golden_equal: list[bool]  # per sentence: the chip-driven embedding equals the golden-driven one
    stages: list[dict[str, Any]]  # per stage: sentence, label, jobs, counters, predicted
    sim_seconds: float  # wall time of the simulation (build included)


def run_staged_on_chip(
    sentences: list[str],
    layers: int | None = None,
    stages: int | None = None,
    chip_stages: list[str] | None = None,
) -> StagedRun:
    """Run the sentences' stages (the first ``stages`` of each sentence's ``layers`` layers; all by
    default) on the RTL chip; the stage names not in ``chip_stages`` (default: all on the chip) run
    on the golden model instead (reduced runs). Raise StageMismatch when a stage's C differs from
    the golden model, AssertionError when the simulation fails otherwise."""
    import time

    from tb.env.mem_model import build_suffix, harness_parameters
    from tb.env.sim import CHIP_SOURCES, run_cocotb

    WORK.mkdir(parents=True, exist_ok=True)
    cfg, out, fail = WORK / "config.json", WORK / "staged.npz", WORK / "failure.json"
    for f in (out, fail):
        f.unlink(missing_ok=True)
    tmp = cfg.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"sentences": sentences, "layers": layers, "stages": stages, "chip_stages": chip_stages})
    )
    tmp.replace(cfg)
    os.environ["CSAI_MINILM_CFG"] = str(cfg)
    t0 = time.monotonic()
    try:
        params = PARAMS | harness_parameters(PARAMS["BUS_W"])  # MEM=dram: the DRAM timing model
        name = "minilm" + build_suffix()
        run_cocotb(
            "chip_harness", CHIP_SOURCES, "tb.flows.minilm_staged", params, name, testcase="minilm_stages"
        )
    except AssertionError:
        if fail.exists():
            f = json.loads(fail.read_text())
            raise StageMismatch(
                f"sentence {f['sentence']} stage {f['stage']}: {f['detail']}; operands saved to {f['replay']}"
            ) from None
        raise
    got = np.load(out, allow_pickle=False)
    return StagedRun(
        got["embeddings"],
        [bool(x) for x in got["golden_equal"]],
        json.loads(bytes(got["stages"]).decode()),
        time.monotonic() - t0,
    )


# ---------------- the cocotb side ----------------
try:
    import cocotb
except ImportError:  # pragma: no cover - cocotb is a pinned requirement
    cocotb = None


async def run_stage(
    host: Any, jobs: list[Any], dram: Any = None
) -> tuple[list[np.ndarray], dict[str, int], int]:
    """One stage as one descriptor chain on the chip: its C's as the chip wrote them (read back
    from the dumped memory), the chip's counters and the cycle model's PERF_CYCLES of the chain
    as laid out (on the DRAM model with ``dram``), which also bounds the wait (the watchdog)."""
    from models.demo.staged import job_flags, predicted_chain_cycles
    from tb.env.chain import chain_descriptors
    from tb.env.chip_tb import FLAG_INT8, GemmCase, place, read_addrs

    mem = host.new_image()
    cases, lays = [], []
    for job in jobs:
        n = job.b.shape[1]
        bias = np.zeros(n, np.int64) if job.bias is None else np.asarray(job.bias, np.int64)
        case = GemmCase(job.a.shape[0], n, job.a.shape[1], job_flags(job), shift=int(job.q.shift))
        lay = place(
            mem,
            job.a.astype(np.int64),
            job.b.astype(np.int64),
            bias,
            job.scale.astype(np.int64),
            case,
            host.array_n,
        )
        host.scramble_c(mem, lay, case)
        cases.append(case)
        lays.append(lay)
    descs = chain_descriptors(mem, lays)
    c_place = [(lay.c_addr, lay.ldc, read_addrs(lay)) for lay in lays]
    # the demo's own (cached) prediction of the chain: the same chain model as predict_chain
    predicted, _ = predicted_chain_cycles(jobs, c_place, descs, dram)
    what = f"chain of {len(jobs)} GEMMs ({jobs[0].name}, ...)"
    counters, _ = await host.run_chain(mem, cases, lays, descs, what, predicted)
    outs = [
        mem.get_matrix(lay.c_addr, c.m, c.n, lay.ldc, 1 if c.flags & FLAG_INT8 else 4).astype(np.int64)
        for c, lay in zip(cases, lays, strict=True)
    ]
    return outs, counters, predicted


def _fail(si: int, label: str, jobs: list[Any], detail: str) -> None:
    from tb.flows.chip_executor import _save_jobs

    replay = WORK / f"replay_S{si}_{label}.npz"
    _save_jobs(jobs, replay)
    rec = {"sentence": si, "stage": label, "detail": detail, "replay": str(replay)}
    dest = WORK / "failure.json"
    dest.with_suffix(".tmp").write_text(json.dumps(rec))
    dest.with_suffix(".tmp").replace(dest)
    raise AssertionError(f"S{si} {label}: {detail}; operands saved to {replay}")


if cocotb is not None:

    @cocotb.test()
    async def minilm_stages(dut):
        """Every stage of every sentence through the chip, host steps between, golden checks."""
        from models.demo.calibration import default_quant_model
        from models.demo.encoder_int8 import fast_executor
        from models.demo.staged import predicted_chain_cycles, run_golden, sentence_stages
        from tb.env.chip_host import ChipHost, MemKnobs
        from tb.env.mem_model import dram_params, mem_model

        cfg = json.loads(Path(os.environ["CSAI_MINILM_CFG"]).read_text())
        corrupt = os.environ.get("CSAI_MINILM_CORRUPT", "")
        dram = dram_params(PARAMS["BUS_W"] // 8) if mem_model() == "dram" else None
        host = ChipHost(dut)
        await host.reset(MemKnobs(rd_latency=LATENCY[0], wr_latency=LATENCY[1]))
        qm = default_quant_model()
        embs, equal, records = [], [], []
        for si, sentence in enumerate(cfg["sentences"]):
            gen = sentence_stages(qm, sentence, cfg["layers"])
            stage, done = next(gen), 0
            emb = None
            while emb is None:
                on_chip = cfg["chip_stages"] is None or stage.name in cfg["chip_stages"]
                if on_chip:
                    outs, counters, predicted = await run_stage(host, stage.jobs, dram)
                else:  # a reduced run: this stage on the golden model, in the host's place
                    outs, counters = [fast_executor(j) for j in stage.jobs], {}
                    predicted, _ = predicted_chain_cycles(stage.jobs, dram=dram)
                if corrupt == stage.label:
                    outs[0][0, 0] ^= 1
                for job, got in zip(stage.jobs, outs, strict=True):
                    want = fast_executor(job)
                    if not np.array_equal(got, want):
                        bad = [tuple(int(i) for i in ix) for ix in np.argwhere(got != want)]
                        _fail(si, stage.label, stage.jobs,
                              f"{job.name}: {len(bad)} elements differ from golden, first C{bad[0]} = "
                              f"{got[bad[0]]}, golden {want[bad[0]]}")  # fmt: skip
                macs = sum(int(np.prod(j.mnk)) for j in stage.jobs)
                records.append(
                    {"sentence": si, "label": stage.label, "jobs": len(stage.jobs), "macs": macs,
                     "predicted": predicted, "on_chip": on_chip, **counters}
                )  # fmt: skip
                if on_chip:
                    dut._log.info("S%d %s: %d GEMMs, %d cycles (predicted %d), bit-exact",
                                  si, stage.label, len(stage.jobs), counters["total"], predicted)  # fmt: skip
                done += 1
                if cfg["stages"] is not None and done >= cfg["stages"]:
                    break
                try:
                    stage = gen.send(outs)
                except StopIteration as stop:
                    emb = stop.value
            if emb is not None:
                embs.append(emb)
                equal.append(bool(np.array_equal(emb, run_golden(qm, sentence, cfg["layers"])[0])))
        await host.quiet()
        out = WORK / "staged.npz"
        hidden = qm.model.config.hidden
        np.savez(
            out.with_suffix(".tmp.npz"),
            embeddings=np.array(embs).reshape(-1, hidden),
            golden_equal=np.array(equal, dtype=bool),
            stages=np.frombuffer(json.dumps(records).encode(), dtype=np.uint8),
        )
        out.with_suffix(".tmp.npz").replace(out)
