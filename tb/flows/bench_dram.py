"""The issue-9 shapes on the whole chip under the memory model of ``MEM`` (tb/env/mem_model.py):
8x8x8, GEMV 1 x 1024 x 1024 and 256 x 256 x 256 (``CSAI_BENCH_SHAPES=small`` leaves the last
out). Every figure is the chip's PERF_CYCLES; C is checked bit for bit. Writes
build/bench/mem_<model>.md. Run with ``make bench-dram`` (``MEM=ideal`` for the bound,
``DRAM_CHIP_MHZ=`` for the DRAM at another chip clock). GEMV runs twice: with read bursts and
with one-beat reads (CTRL.read_bursts = 0). No speed target is asserted here (figures are
recorded); each C is checked bit for bit and every run's cycles are printed beside the cycle
model's prediction.
"""

from __future__ import annotations

import os
from pathlib import Path

import cocotb

from tb.env.chip_host import ChipHost, MemKnobs
from tb.env.chip_tb import FLAG_BIAS, FLAG_INT8, GemmCase
from tb.env.mem_model import build_suffix, dram_params, harness_parameters, mem_model
from tb.env.seeds import run_seed

OUT = Path(__file__).resolve().parent.parent.parent / "build" / "bench"


@cocotb.test()
async def bench_memory_model(dut):
    host = ChipHost(dut)
    await host.reset(MemKnobs(rd_latency=20, wr_latency=20))
    f = FLAG_INT8 | FLAG_BIAS
    shapes = [
        ("gemm_8x8x8", GemmCase(8, 8, 8, f, shift=12)),
        ("gemv_1x1024x1024", GemmCase(1, 1024, 1024, f, shift=16)),
    ]
    if os.environ.get("CSAI_BENCH_SHAPES") != "small":
        shapes.append(("gemm_256", GemmCase(256, 256, 256, f, shift=16)))
    if mem_model() == "dram":
        p = dram_params(host.word)
        from models.cycle.dram_timing import sustained_read_bytes_per_cycle

        bw = sustained_read_bytes_per_cycle(p)
        timing = (
            f"CL {p.cl}, tRCD {p.rcd}, tRP {p.rp}, tRAS {p.ras}, burst {p.burst}, tRFC {p.rfc}, "
            f"tREFI {p.refi} cycles; queue {p.queue_depth}"
        )
    else:
        bw, timing = float(host.word), "read and write latency 20 cycles, one beat per cycle"
    from tb.env import simulators

    lines = [
        f"# Chip under {host.memory}",
        "",
        f"ARRAY_N 8, BUS_W 64; {timing}; sustained read bandwidth {bw:.2f} B/cycle; run seed "
        f"{run_seed()}; `make bench-dram` (tb/flows/bench_dram.py); cycles = PERF_CYCLES, measured on "
        f"the RTL ({simulators.simulator()}); model = the cycle model's prediction for the same layout "
        "and memory (models/cycle/cycle_engine.py + models/cycle/mem_timing.py); START to done, C written",
        "",
        "| job | reads | cycles | model | compute | stall | MACs/cycle | % of peak | bytes read "
        "| read B/cycle | % of sustained read bw |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    runs = [(name, case, True) for name, case in shapes]
    runs.insert(2, ("gemv_1x1024x1024", shapes[1][1], False))  # the one-beat figure beside
    for name, case, bursts in runs:
        host.read_bursts = bursts
        c = await host.gemm(case, f"bench_mem:{name}")
        _, lay = host.last_gemm
        predicted = host.predict(case, lay)
        macs = case.m * case.n * case.k
        rd = c["bytes_rd"] / c["total"]
        lines.append(
            f"| {name} | {'bursts' if bursts else '1-beat'} | {c['total']} | {predicted} | {c['compute']} | "
            f"{c['stall']} | {macs / c['total']:.2f} | {100 * macs / c['total'] / 64:.1f} | "
            f"{c['bytes_rd']} | {rd:.3f} | {100 * rd / bw:.1f} |"
        )
    host.read_bursts = True
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"mem_{mem_model()}{build_suffix()}.md"
    tmp = out.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(out)
    for ln in lines:
        dut._log.info("%s", ln)
    await host.quiet()


def test_memory_bench() -> None:
    from tb.env.sim import CHIP_SOURCES, run_cocotb

    params = {"ARRAY_N": 8, "BUS_W": 64, "KMAX": 1024, "MEM_BYTES": 1 << 21, **harness_parameters(64)}
    run_cocotb(
        "chip_harness", CHIP_SOURCES, "tb.flows.bench_dram", params, f"chip_bench{build_suffix() or '_ideal'}"
    )
