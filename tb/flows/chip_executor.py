"""Run a list of GEMM jobs on the simulated chip as ONE descriptor chain.

``run_jobs_on_chip(jobs)`` is called from plain Python (the MiniLM demo): it writes the jobs'
operands to ``build/chip_jobs/jobs.npz``, runs the cocotb test below on tb/hdl/chip_harness.v in
Icarus or Verilator (``SIM``) (one START, one interrupt for the whole list), and returns each
job's C as the chip wrote it plus the chip's counters for the chain. Inside the simulation every
C is also compared with ``models.chip.golden.gemm`` bit for bit, so a wrong result fails loudly and
nothing wrong is returned.

A job is anything with ``name``, ``a`` (int8 [M, K]), ``b`` (int8 [K, N]), ``bias`` (int32 [N]
or None) and ``q`` (``models.chip.golden.Requant``), like ``models.demo.encoder_int8.GemmJob``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.cycle.cycle_engine import COUNTERS

REPO = Path(__file__).resolve().parent.parent.parent
WORK = REPO / "build" / "chip_jobs"
PARAMS = {"ARRAY_N": 8, "BUS_W": 64, "KMAX": 2048, "MEM_BYTES": 1 << 22}


@dataclass
class ChainResult:
    outputs: list[np.ndarray]  # C of each job, as the chip wrote it
    counters: dict[str, int]  # the chip's PERF_* counters for the whole chain
    # where each job lay in the chip's memory: C address, C row stride, then A address, LDA,
    # B address, LDB, bias address, map address (the reads' 4 KB page crossings depend on them)
    c_place: list[tuple[int, ...]]
    params: dict[str, int]  # chip parameters it ran with
    memory: dict[str, int]  # memory model latencies


def _save_jobs(jobs: list[Any], path: Path) -> None:
    arrays: dict[str, np.ndarray] = {}
    meta = []
    for i, job in enumerate(jobs):
        q = job.q
        # per-column multipliers only when they differ (the job may say so itself)
        per_channel = bool(getattr(job, "per_channel", np.ndim(q.scale) > 0 and np.ptp(q.scale) > 0))
        n = job.b.shape[1]
        arrays[f"a{i}"] = np.asarray(job.a, dtype=np.int8)
        arrays[f"b{i}"] = np.asarray(job.b, dtype=np.int8)
        arrays[f"bias{i}"] = np.zeros(n, np.int64) if job.bias is None else np.asarray(job.bias, np.int64)
        arrays[f"scale{i}"] = np.broadcast_to(np.asarray(q.scale, dtype=np.int64), (n,)).copy()
        meta.append(
            {
                "name": job.name,
                "bias": job.bias is not None,
                "per_channel": bool(per_channel),
                "shift": int(q.shift),
                "relu": bool(q.relu),
                "out_int8": bool(q.out_int8),
            }
        )
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)


def run_jobs_on_chip(jobs: list[Any], rd_latency: int = 20, wr_latency: int = 20) -> ChainResult:
    """Every job through the RTL chip in one descriptor chain; raises AssertionError if the
    simulation fails or any C differs from the golden model."""

    WORK.mkdir(parents=True, exist_ok=True)
    jobs_file = WORK / "jobs.npz"
    _save_jobs(jobs, jobs_file)
    return run_saved_jobs(jobs_file, rd_latency, wr_latency)


def run_saved_jobs(jobs_file: str | Path, rd_latency: int = 20, wr_latency: int = 20) -> ChainResult:
    """``run_jobs_on_chip`` on jobs saved by ``_save_jobs`` (e.g. a failed MiniLM stage's
    operands, tb/flows/minilm_staged.py)."""
    from tb.env.sim import CHIP_SOURCES, run_cocotb

    jobs_file = Path(jobs_file).resolve()
    if not jobs_file.is_file():
        raise FileNotFoundError(jobs_file)
    WORK.mkdir(parents=True, exist_ok=True)
    out_file = WORK / "outputs.npz"
    out_file.unlink(missing_ok=True)
    os.environ["CSAI_JOBS_FILE"] = str(jobs_file)
    os.environ["CSAI_JOBS_OUT"] = str(out_file)
    os.environ["CSAI_JOBS_LATENCY"] = f"{rd_latency},{wr_latency}"
    run_cocotb(
        "chip_harness", CHIP_SOURCES, "tb.flows.chip_executor", PARAMS, "chip_jobs", testcase="run_job_chain"
    )
    got = np.load(out_file)
    outputs = [got[f"c{i}"] for i in range(len(got["c_place"]))]
    counters = {c: int(got[c]) for c in COUNTERS}
    c_place = [tuple(int(x) for x in row) for row in got["c_place"]]
    latency = {"rd_latency": rd_latency, "wr_latency": wr_latency}
    return ChainResult(outputs, counters, c_place, dict(PARAMS), latency)


# ---------------- the cocotb side ----------------
try:
    import cocotb
except ImportError:  # pragma: no cover - cocotb is a pinned requirement
    cocotb = None

if cocotb is not None:

    @cocotb.test()
    async def run_job_chain(dut):
        """Lay out the jobs, chain them, one START, check every C, save outputs and counters."""
        from tb.env.chain import chain_descriptors
        from tb.env.chip_host import ChipHost, MemKnobs
        from tb.env.chip_tb import (
            FLAG_BIAS,
            FLAG_INT8,
            FLAG_PERCH,
            FLAG_RELU,
            GemmCase,
            check_c,
            place,
            read_addrs,
        )

        host = ChipHost(dut)
        rd, wr = (int(x) for x in os.environ["CSAI_JOBS_LATENCY"].split(","))
        await host.reset(MemKnobs(rd_latency=rd, wr_latency=wr))
        data = np.load(os.environ["CSAI_JOBS_FILE"])
        meta = json.loads(bytes(data["meta"]).decode())
        mem = host.new_image()
        cases, lays = [], []
        for i, m in enumerate(meta):
            a, b = data[f"a{i}"].astype(np.int64), data[f"b{i}"].astype(np.int64)
            flags = (
                (FLAG_INT8 if m["out_int8"] else 0)
                | (FLAG_RELU if m["relu"] else 0)
                | (FLAG_BIAS if m["bias"] else 0)
                | (FLAG_PERCH if m["per_channel"] else 0)
            )
            case = GemmCase(a.shape[0], b.shape[1], a.shape[1], flags, shift=m["shift"])
            cases.append(case)
            lays.append(place(mem, a, b, data[f"bias{i}"], data[f"scale{i}"], case, host.array_n))
        descs = chain_descriptors(mem, lays)
        counters, _ = await host.run_chain(mem, cases, lays, descs, f"chain of {len(cases)} jobs")
        out: dict[str, np.ndarray] = {}
        for i, (case, lay) in enumerate(zip(cases, lays, strict=True)):
            check_c(mem, lay, case)
            elem = 1 if case.flags & FLAG_INT8 else 4
            out[f"c{i}"] = mem.get_matrix(lay.c_addr, case.m, case.n, lay.ldc, elem)
        out.update({k: np.asarray(v) for k, v in counters.items()})
        out["c_place"] = np.array(
            [(lay.c_addr, lay.ldc, *read_addrs(lay).values()) for lay in lays], dtype=np.int64
        )
        dest = Path(os.environ["CSAI_JOBS_OUT"])
        np.savez(dest.with_suffix(".tmp.npz"), **out)
        dest.with_suffix(".tmp.npz").replace(dest)
        macs = sum(c.m * c.n * c.k for c in cases)
        dut._log.info(
            "%d GEMMs in one chain: %d cycles, %.1f MACs/cycle, every C bit-exact",
            len(cases),
            counters["total"],
            macs / counters["total"],
        )
        await host.quiet()
