"""Validation of the cycle model (models/cycle/cycle_model.py) against the whole chip.

``python -m tb.flows.validate_cycle_model [--quick] [--seed S] [--per-config P] [--jobs J]`` draws random
GEMMs (shapes with 1, primes and non-multiples of ARRAY_N, padded row strides, int8 and int32
output, ReLU, bias, per-channel, block sparsity with a random mask, overlap off on a few) with a
memory read and write latency each from 1/7/20/60 and, on some points, a beat gap of 1 or 2,
every other point with CTRL.read_bursts = 0 (single-beat reads) instead of 1 (read bursts), for
four chip builds (ARRAY_N 4/8 x BUS_W 64/128). Each point runs through the registers of
tb/hdl/chip_harness.v (``tb.env.chip_host.ChipHost``: AXI4-Lite, the AXI memory model, C checked bit
for bit, counters read from PERF_*, recorded in build/results/) and is compared counter by counter
with ``engine_cycles``. It writes build/validate/cycle_model.{md,json} and exits non-zero if any
point's total cycles are off by more than 1 % or any C is wrong. Each build is one cocotb run (its
own build folder, two at a time); a build's points reach its cocotb test through a file named
after the build. The name does not start with ``test_``: ``pytest tb`` does not collect it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from models.cycle.cycle_engine import COUNTERS
from models.cycle.cycle_model import VALIDATION_RECORD, sources_hash
from tb.env.mem_model import build_suffix, describe, mem_model

REPO = Path(__file__).resolve().parent.parent.parent
OUT = REPO / "build" / "validate"
TOL = 0.01  # largest relative error of the total cycles accepted on any point
PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 97, 127, 131, 257]
LATENCIES = (1, 7, 20, 60)
BUILDS = [(8, 64), (8, 128), (4, 64), (4, 128)]  # (ARRAY_N, BUS_W) of the chip builds
QUICK = [(8, 64), (4, 128)]
KMAX = 512
MEM_BYTES = 1 << 18


def _dim(rng: np.random.Generator, n_arr: int, hi: int) -> int:
    pick = rng.integers(0, 5)
    if pick == 0:
        return 1
    if pick == 1:
        return int(rng.choice([p for p in PRIMES if p <= hi]))
    if pick == 2:
        return int(n_arr * rng.integers(1, max(2, hi // n_arr) + 1))
    return int(rng.integers(1, hi + 1))


def draw_points(seed: int, n_arr: int, count: int, budget: int = 30_000) -> list[dict]:
    """Random GEMMs and memory knobs for one build; the MAC cycles of each stay under ``budget``."""
    rng = np.random.default_rng(seed)
    points: list[dict] = []
    while len(points) < count:
        m, n, k = _dim(rng, n_arr, 70), _dim(rng, n_arr, 70), _dim(rng, n_arr, KMAX)
        if -(-m // n_arr) * -(-n // n_arr) * max(k, n_arr) > budget:
            continue
        flags = 1 if rng.random() < 0.7 else 0  # out_int8 (else int32 output)
        flags |= int(rng.choice([0, 2])) | int(rng.choice([0, 4])) | int(rng.choice([0, 0, 8]))
        sparsity = 0.0
        if rng.random() < 0.35:
            flags |= 16
            sparsity = float(rng.choice([0.3, 0.5, 0.8, 1.0]))
        points.append(
            dict(
                m=m, n=n, k=k, flags=flags, shift=int(rng.integers(0, 20)), sparsity=sparsity,
                pad=int(rng.choice([0, 0, 1, 2])), overlap=bool(rng.random() < 0.85),
                rd_latency=int(rng.choice(LATENCIES)), wr_latency=int(rng.choice(LATENCIES)),
                beat_gap=int(rng.choice([0, 0, 0, 0, 0, 0, 1, 2])), read_bursts=len(points) % 2 == 0,
            )
        )  # fmt: skip
    return points


def zero_blocks_from_memory(mem, map_addr: int, k: int, n: int, n_arr: int) -> set[tuple[int, int]]:
    """The (k-block, column tile) pairs the sparsity map in memory marks zero, as the RTL reads it."""
    kb, ct = -(-k // n_arr), -(-n // n_arr)
    row_bytes = -(-kb // 8)
    stride = -(-row_bytes // mem.word_bytes) * mem.word_bytes
    return {
        (b, j)
        for j in range(ct)
        for b in range(kb)
        if (int(mem.data[map_addr + j * stride + b // 8]) >> (b % 8)) & 1
    }


def model_counters(
    p: dict, array_n: int, bus_w: int, zero: set, c_addr: int, ldc: int, addrs: dict | None = None
) -> dict:
    from models.cycle.cycle_model import engine_cycles
    from models.cycle.mem_timing import DramMemory
    from tb.env.mem_model import dram_params

    mem = DramMemory(dram_params(bus_w // 8)) if mem_model() == "dram" else None
    return engine_cycles(
        p["m"], p["n"], p["k"], array_n=array_n, bus_w_bytes=bus_w // 8, read_latency=p["rd_latency"],
        write_latency=p["wr_latency"], beat_gap=p["beat_gap"], flags=p["flags"], overlap=p["overlap"],
        zero_blocks=zero, c_addr=c_addr, ldc=ldc, kmax=KMAX, read_bursts=p.get("read_bursts", True),
        addrs=addrs, mem=mem,
    )  # fmt: skip


try:  # the cocotb part: only importable inside a simulation
    import cocotb

    @cocotb.test()
    async def validate_points(dut) -> None:
        """Run the points of this build's spec file through the chip, compare each with the model."""
        from tb.env.chip_host import ChipHost, MemKnobs
        from tb.env.chip_tb import GemmCase, read_addrs

        spec = json.loads((OUT / "points" / f"{os.environ['CSAI_BUILD_NAME']}.in.json").read_text())
        host = ChipHost(dut)
        await host.reset(MemKnobs())
        rows: list[dict] = []
        out = Path(spec["out"])
        for i, p in enumerate(spec["points"]):
            case = GemmCase(p["m"], p["n"], p["k"], p["flags"], p["shift"], p["sparsity"], p["pad"])
            host.set_knobs(
                MemKnobs(rd_latency=p["rd_latency"], wr_latency=p["wr_latency"], beat_gap=p["beat_gap"])
            )
            host.read_bursts = p.get("read_bursts", True)
            t0 = time.monotonic()
            c_error = ""
            try:
                rtl = await host.gemm(case, "validate_cycle_model", overlap=p["overlap"])
            except AssertionError as e:  # wrong C (an RTL bug): keep its cycles, fail at the end
                c_error = str(e)[:300]
                rtl = await host.counters()
                dut._log.error("point %d %s: %s", i, p, c_error)
            sim_s = time.monotonic() - t0
            assert host.last_gemm is not None
            mem, lay = host.last_gemm
            zero: set = set()
            if case.flags & 16:
                zero = zero_blocks_from_memory(mem, lay.regs["r_map_addr"], case.k, case.n, host.array_n)
            model = model_counters(p, host.array_n, host.bus_w, zero, lay.c_addr, lay.ldc, read_addrs(lay))
            err = (model["total"] - rtl["total"]) / rtl["total"]
            row = dict(p, array_n=host.array_n, bus_w=host.bus_w, zero_blocks=len(zero), rtl=rtl, model=model)
            rows.append(dict(row, error=err, c_error=c_error, sim_seconds=round(sim_s, 2)))
            dut._log.info("point %d %s: rtl %d model %d error %+.3f %%", i, p, rtl["total"], model["total"],
                          100 * err)  # fmt: skip
            out.write_text(json.dumps(rows, indent=1))
        await host.quiet()

except ImportError:  # plain Python (the driver below) does not need cocotb
    pass


def run_build(n_arr: int, bus_w: int, points: list[dict], tag: str) -> list[dict]:
    """One cocotb run of ``points`` on a chip built for (n_arr, bus_w); its result rows."""
    from tb.env.mem_model import harness_parameters
    from tb.env.sim import CHIP_SOURCES, run_cocotb

    name = f"validate_{tag}_N{n_arr}_W{bus_w}{build_suffix()}"
    out = OUT / "points" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    (OUT / "points" / f"{name}.in.json").write_text(json.dumps(dict(points=points, out=str(out))))
    params = {"ARRAY_N": n_arr, "BUS_W": bus_w, "KMAX": KMAX, "MEM_BYTES": MEM_BYTES}
    params |= harness_parameters(bus_w)
    try:
        run_cocotb("chip_harness", CHIP_SOURCES, "tb.flows.validate_cycle_model", params, name)
    except AssertionError as e:  # the rows written so far still go into the table
        print(f"{name}: {e}", file=sys.stderr)
    return json.loads(out.read_text()) if out.exists() else []


def flag_text(flags: int, overlap: bool) -> str:
    names = ["int8" if flags & 1 else "int32"] + [
        s for b, s in ((2, "relu"), (4, "bias"), (8, "perch"), (16, "sparse")) if flags & b
    ]
    return "+".join(names) + ("" if overlap else " serial")


def mode_text(r: dict) -> str:
    return "bursts" if r.get("read_bursts", True) else "1-beat"


def summarize(rows: list[dict]) -> dict:
    """Max and mean |relative error| of every counter, and the points exact in each."""
    out: dict = {}
    for c in COUNTERS:
        errs = [abs(r["model"][c] - r["rtl"][c]) / max(1, r["rtl"][c]) for r in rows]
        out[c] = dict(
            max=max(errs, default=float("nan")),
            mean=sum(errs) / len(errs) if errs else float("nan"),
            exact=sum(r["model"][c] == r["rtl"][c] for r in rows),
        )
    return out


def write_report(rows: list[dict], seconds: float, command: str) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    per = summarize(rows)
    exact_all = sum(all(r["rtl"][c] == r["model"][c] for c in COUNTERS) for r in rows)
    builds = sorted({(r["array_n"], r["bus_w"]) for r in rows})
    lines = [
        f"# Cycle model vs the whole chip (tb/hdl/chip_harness.v), memory: {describe()}",
        "",
        f"`{command}`: {len(rows)} points on {len(builds)} chip builds (ARRAY_N x BUS_W: "
        f"{', '.join(f'{a}x{b}' for a, b in builds)}), {seconds:.0f} s. Every point ran through the "
        f"chip's registers on the AXI memory model ({describe()}), its C checked bit for bit against "
        "the golden model "
        f"({sum(bool(r['c_error']) for r in rows)} wrong); {exact_all} points exact in all seven counters.",
        "",
        "| counter | max abs. error | mean abs. error | points exact |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {c} | {100 * s['max']:.3f} % | {100 * s['mean']:.3f} % | {s['exact']} |" for c, s in per.items()
    ]
    lines += [
        "",
        "Error = (model - RTL) / RTL. lat = memory read / write latency (cycles), gap = beat gap.",
        "",
        "| # | N | BUS_W | reads | lat rd/wr | gap | M | N | K | pad | flags | sparsity (zero blocks) "
        "| RTL cycles | model | error | counters equal | C |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(rows):
        same = sum(r["rtl"][c] == r["model"][c] for c in COUNTERS)
        lines.append(
            f"| {i} | {r['array_n']} | {r['bus_w']} | {mode_text(r)} | {r['rd_latency']}/{r['wr_latency']} | "
            f"{r['beat_gap']} | "
            f"{r['m']} | {r['n']} | {r['k']} | {r['pad']} | {flag_text(r['flags'], r['overlap'])} | "
            f"{r['sparsity']:g} ({r['zero_blocks']}) | {r['rtl']['total']} | {r['model']['total']} | "
            f"{100 * r['error']:+.3f} % | {same}/7 | {'WRONG' if r['c_error'] else 'ok'} |"
        )
    (OUT / f"cycle_model{build_suffix()}.md").write_text("\n".join(lines) + "\n")
    summary = dict(
        points=len(rows), builds=[list(b) for b in builds], exact_all=exact_all,
        max_abs_error=per["total"]["max"], mean_abs_error=per["total"]["mean"], counters=per,
        wrong_c=sum(bool(r["c_error"]) for r in rows), seconds=round(seconds, 1), command=command,
        points_bursts=sum(bool(r.get("read_bursts", True)) for r in rows),
        ar_bursts_exact=sum(r["rtl"].get("ar_bursts") == r["model"]["ar_bursts"] for r in rows),
        points_single_beat=sum(not r.get("read_bursts", True) for r in rows),
    )  # fmt: skip
    doc = json.dumps(dict(summary=summary, rows=rows), indent=1)
    (OUT / f"cycle_model{build_suffix()}.json").write_text(doc)
    return summary


def run_sweep(builds: list[tuple[int, int]], per: int, seed: int, tag: str, jobs: int) -> list[dict]:
    plans = [(a, b, draw_points(seed * 1000 + i, a, per)) for i, (a, b) in enumerate(builds)]
    with ThreadPoolExecutor(max_workers=jobs) as pool:  # each run is an Icarus subprocess
        parts = list(pool.map(lambda x: run_build(x[0], x[1], x[2], tag), plans))
    return [r for part in parts for r in part]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="two builds, 4 points each")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-config", type=int, default=13, help="points per chip build")
    ap.add_argument("--jobs", type=int, default=2, help="simulations run side by side")
    args = ap.parse_args(argv)
    builds, per = (QUICK, 4) if args.quick else (BUILDS, args.per_config)
    t0 = time.monotonic()
    rows = run_sweep(builds, per, args.seed, "quick" if args.quick else "full", args.jobs)
    expected = per * len(builds)
    cmd = (
        "python -m tb.flows.validate_cycle_model"
        + (" --quick" if args.quick else "")
        + f" --seed {args.seed}"
    )
    s = write_report(rows, time.monotonic() - t0, cmd)
    print(
        f"cycle model vs chip: {len(rows)}/{expected} points, max |error| of total "
        f"{100 * s['max_abs_error']:.3f} %, mean {100 * s['mean_abs_error']:.3f} %, "
        f"{s['exact_all']} exact in all 7 counters, AXI read bursts equal on {s['ar_bursts_exact']} "
        f"({s['points_bursts']} points with read bursts, {s['points_single_beat']} single-beat), "
        f"{s['seconds']:.0f} s"
    )
    print(f"memory: {describe()}")
    print(f"table: {OUT / f'cycle_model{build_suffix()}.md'}")
    ok = len(rows) == expected and s["max_abs_error"] <= TOL and not s["wrong_c"]
    if ok and not args.quick:
        keys = ("points", "builds", "exact_all", "max_abs_error", "mean_abs_error")
        keys += ("points_bursts", "points_single_beat")
        record = {k: s[k] for k in keys}
        memory = mem_model()
        record |= {"command": cmd, "sources_sha256": sources_hash(memory=memory)}
        try:  # the ideal part is the top level, the DRAM part its "dram" key: one run updates one
            old = json.loads(VALIDATION_RECORD.read_text())
        except (OSError, ValueError):
            old = {}
        if memory == "dram":
            record = {**old, "dram": dict(record, memory=describe(), command=f"MEM=dram {cmd}")}
        else:
            record = {**record, **({"dram": old["dram"]} if "dram" in old else {})}
        tmp = VALIDATION_RECORD.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
        tmp.replace(VALIDATION_RECORD)
        print(f"record: {VALIDATION_RECORD.relative_to(REPO)} (commit it with the RTL it validates)")
    if s["wrong_c"]:
        print(f"{s['wrong_c']} points computed a wrong C (RTL bug): see the table")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
