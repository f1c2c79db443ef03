"""Validation of models/cycle_model.py against the RTL (tb/hdl/ctrl_harness.v).

``python -m tb.validate_cycle_model [--quick] [--seed S]`` draws random GEMMs (shapes with 1, primes
and non-multiples of ARRAY_N, every output flag, per-channel, int32 output, block sparsity with a
random mask, overlap on/off) for several harness configurations (ARRAY_N 4/8, BUS_W 64/128, read
latency 1..60), runs each in Icarus with the memory loaded in bulk, checks C bit-exactly against the
golden model (tb/chip_tb.py), records the RTL counters (tb/results.py) and compares every counter
with ``engine_cycles``. It writes build/validate/cycle_model.{md,json} and exits non-zero if the
total cycles of any point are off by more than 1 %. Each configuration is one cocotb run (its own
build folder); the points of a configuration reach the cocotb test through CSAI_VALIDATE_POINTS.
The name does not start with ``test_``: ``pytest tb`` does not collect the long sweep.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "build" / "validate"
TOL = 0.01  # largest relative error of the total cycles accepted on any point
COUNTERS = ("total", "compute", "stall", "bytes_rd", "bytes_wr", "tiles", "skipped")
RTL = [
    "sync_fifo",
    "gemm_controller",
    "a_transposer",
    "gemm_core",
    "pe",
    "systolic_array",
    "requant",
    "sdp_ram",
]
PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 97, 127, 131, 257]

# (ARRAY_N, BUS_W, READ_LATENCY): the harness configurations of the sweep
CONFIGS = [(8, 64, 20), (8, 128, 20), (4, 64, 20), (4, 128, 7), (8, 64, 60), (4, 64, 1)]
QUICK = [(8, 64, 20), (4, 128, 7)]
KMAX = 512
# tb/hdl/ctrl_harness.v counts its read queue with 8-bit pointers in 9 bits: while the queue spans the
# pointer wrap it refuses requests. The model reproduces that when told the pointer at START.
HARNESS_QUIRK = (
    "wire [8:0] q_count = {1'b0, q_tail} - {1'b0, q_head}" in (REPO / "tb/hdl/ctrl_harness.v").read_text()
)


def _dim(rng: np.random.Generator, n_arr: int, hi: int) -> int:
    pick = rng.integers(0, 5)
    if pick == 0:
        return 1
    if pick == 1:
        return int(rng.choice([p for p in PRIMES if p <= hi]))
    if pick == 2:
        return int(n_arr * rng.integers(1, max(2, hi // n_arr) + 1))
    return int(rng.integers(1, hi + 1))


def draw_points(seed: int, n_arr: int, count: int, budget: int = 40_000) -> list[dict]:
    """Random GEMMs for one configuration; the MAC-cycle estimate of each stays under ``budget``."""
    rng = np.random.default_rng(seed)
    points: list[dict] = []
    while len(points) < count:
        m, n, k = _dim(rng, n_arr, 70), _dim(rng, n_arr, 70), _dim(rng, n_arr, KMAX)
        tiles = -(-m // n_arr) * -(-n // n_arr)
        if tiles * max(k, n_arr) > budget:
            continue
        flags = 1 if rng.random() < 0.7 else 0  # out_int8 (else int32 output)
        flags |= int(rng.choice([0, 2])) | int(rng.choice([0, 4])) | int(rng.choice([0, 0, 8]))
        sparsity = 0.0
        if rng.random() < 0.35:
            flags |= 16
            sparsity = float(rng.choice([0.3, 0.5, 0.8, 1.0]))
        overlap = bool(rng.random() < 0.75)
        points.append(
            dict(
                m=m, n=n, k=k, flags=flags, shift=int(rng.integers(0, 20)), sparsity=sparsity, overlap=overlap
            )
        )
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


try:  # the cocotb part: only importable inside a simulation
    import cocotb
    from cocotb.clock import Clock
    from cocotb.triggers import ClockCycles

    @cocotb.test()
    async def validate_points(dut) -> None:
        """Run the points of CSAI_VALIDATE_POINTS, compare each with the model, write the rows."""
        from models.cycle_model import engine_cycles
        from tb.chip_tb import GemmCase, build, run_on_harness
        from tb.mem_image import MemImage

        spec = json.loads(os.environ["CSAI_VALIDATE_POINTS"])
        n_arr, bus_w = int(dut.ARRAY_N.value), int(dut.BUS_W.value)
        lat, w = int(dut.READ_LATENCY.value), int(dut.BUS_W.value) // 8
        rng = np.random.default_rng(int(cocotb.RANDOM_SEED))
        Clock(dut.clk, 10, unit="ns").start()
        for s in ("load", "dump", "start", "soft_reset", "overlap_enable", "chain_enable"):
            getattr(dut, s).value = 0
        dut.rst.value = 1
        await ClockCycles(dut.clk, 3)
        dut.rst.value = 0
        rows = []
        for i, p in enumerate(spec["points"]):
            case = GemmCase(p["m"], p["n"], p["k"], p["flags"], shift=p["shift"], sparsity=p["sparsity"])
            mem = MemImage(size=int(dut.MEM_WORDS.value) * w, word_bytes=w)
            lay = build(rng, mem, case, n_arr)
            zero = set()
            if case.flags & 16:
                zero = zero_blocks_from_memory(mem, lay.regs["r_map_addr"], case.k, case.n, n_arr)
            q_ptr = int(dut.q_head.value) if HARNESS_QUIRK else None
            t0 = time.monotonic()
            c_error = ""
            try:
                rtl = await run_on_harness(dut, mem, lay, case, "validate_cycle_model", overlap=p["overlap"])
            except AssertionError as e:  # wrong C (an RTL bug): keep its cycles, fail at the end
                c_error = str(e)[:300]
                rtl = {c: int(getattr(dut, f"cnt_{c}").value) for c in COUNTERS}
                dut._log.error("point %d %s: %s", i, p, c_error)
            sim_s = time.monotonic() - t0
            model = engine_cycles(
                case.m, case.n, case.k, array_n=n_arr, bus_w_bytes=w, read_latency=lat, flags=case.flags,
                overlap=p["overlap"], zero_blocks=zero, kmax=int(dut.KMAX.value), harness_q_ptr=q_ptr,
            )  # fmt: skip
            err = (model["total"] - rtl["total"]) / rtl["total"]
            row = dict(p, array_n=n_arr, bus_w=bus_w, read_latency=lat, zero_blocks=len(zero), rtl=rtl)
            rows.append(dict(row, model=model, error=err, c_error=c_error, sim_seconds=round(sim_s, 2)))
            dut._log.info(
                "point %d %s: rtl %d model %d error %+.3f %%", i, p, rtl["total"], model["total"], 100 * err
            )
        out = Path(spec["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(rows, indent=1))
        bad = [r for r in rows if abs(r["error"]) > TOL]
        assert not bad, f"{len(bad)} points off by more than {TOL:.0%}: {bad[0]}"
        wrong = [r for r in rows if r["c_error"]]
        assert not wrong, f"{len(wrong)} points with a wrong C: {wrong[0]['c_error']}"

except ImportError:  # plain Python (the driver below) does not need cocotb
    pass


def run_config(n_arr: int, bus_w: int, lat: int, points: list[dict], tag: str) -> list[dict]:
    """One cocotb run of ``points`` on a harness built for (n_arr, bus_w, lat); its result rows."""
    from tb.sim import run_cocotb

    name = f"validate_{tag}_N{n_arr}_W{bus_w}_L{lat}"
    out = OUT / "points" / f"{name}.json"
    out.unlink(missing_ok=True)
    os.environ["CSAI_VALIDATE_POINTS"] = json.dumps(dict(points=points, out=str(out)))
    params = {"ARRAY_N": n_arr, "BUS_W": bus_w, "KMAX": KMAX, "READ_LATENCY": lat, "MEM_WORDS": 2**16}
    try:
        run_cocotb("ctrl_harness", [f"rtl/{m}.v" for m in RTL] + ["tb/hdl/ctrl_harness.v"],
                   "tb.validate_cycle_model", params, name)  # fmt: skip
    except AssertionError as e:  # the rows written so far still go into the table
        print(f"{name}: {e}", file=sys.stderr)
    finally:
        os.environ.pop("CSAI_VALIDATE_POINTS", None)
    return json.loads(out.read_text()) if out.exists() else []


def flag_text(flags: int, overlap: bool) -> str:
    names = ["int8" if flags & 1 else "int32"] + [
        s for b, s in ((2, "relu"), (4, "bias"), (8, "perch"), (16, "sparse")) if flags & b
    ]
    return "+".join(names) + ("" if overlap else " serial")


def write_report(rows: list[dict], seconds: float, command: str) -> tuple[float, float]:
    OUT.mkdir(parents=True, exist_ok=True)
    errs = [abs(r["error"]) for r in rows]
    worst, mean = (max(errs), sum(errs) / len(errs)) if errs else (float("nan"), float("nan"))
    exact_all = sum(all(r["rtl"][c] == r["model"][c] for c in COUNTERS) for r in rows)
    lines = [
        "# Cycle model vs RTL (tb/hdl/ctrl_harness.v)",
        "",
        f"`{command}`: {len(rows)} points, {seconds:.0f} s. Error = (model - RTL) / RTL of START-to-done "
        f"cycles. Max |error| {100 * worst:.3f} %, mean {100 * mean:.3f} %; "
        f"{sum(e == 0 for e in errs)} points exact in cycles, {exact_all} exact in all seven counters "
        "(total, compute, stall, bytes read/written, tiles, skipped blocks). Every point was simulated "
        "and its C checked bit-exactly against the golden model: "
        f"{sum(bool(r['c_error']) for r in rows)} points had a wrong C "
        "(column C; an RTL bug, not the model's).",
        "",
        "| # | N | BUS_W | lat | M | N | K | flags | sparsity (zero blocks) | RTL cycles | model | error | "
        "counters equal | C |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(rows):
        same = sum(r["rtl"][c] == r["model"][c] for c in COUNTERS)
        lines.append(
            f"| {i} | {r['array_n']} | {r['bus_w']} | {r['read_latency']} | {r['m']} | {r['n']} | {r['k']} | "
            f"{flag_text(r['flags'], r['overlap'])} | {r['sparsity']:g} ({r['zero_blocks']}) | "
            f"{r['rtl']['total']} | {r['model']['total']} | {100 * r['error']:+.3f} % | {same}/7 | "
            f"{'WRONG' if r['c_error'] else 'ok'} |"
        )
    (OUT / "cycle_model.md").write_text("\n".join(lines) + "\n")
    summary = dict(
        points=len(rows), max_abs_error=worst, mean_abs_error=mean, seconds=seconds, command=command
    )
    (OUT / "cycle_model.json").write_text(json.dumps(dict(summary=summary, rows=rows), indent=1))
    return worst, mean


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="two configurations, 4 points each")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-config", type=int, default=10)
    args = ap.parse_args(argv)
    configs, per = (QUICK, 4) if args.quick else (CONFIGS, args.per_config)
    t0 = time.monotonic()
    rows: list[dict] = []
    for i, (n_arr, bus_w, lat) in enumerate(configs):
        pts = draw_points(args.seed * 1000 + i, n_arr, per)
        rows += run_config(n_arr, bus_w, lat, pts, "quick" if args.quick else "full")
    expected = per * len(configs)
    cmd = "python -m tb.validate_cycle_model" + (" --quick" if args.quick else "") + f" --seed {args.seed}"
    worst, mean = write_report(rows, time.monotonic() - t0, cmd)
    print(
        f"cycle model: {len(rows)}/{expected} points, "
        f"max |error| {100 * worst:.3f} %, mean {100 * mean:.3f} %"
    )
    print(f"table: {OUT / 'cycle_model.md'}")
    wrong = sum(bool(r["c_error"]) for r in rows)
    if wrong:
        print(f"{wrong} points computed a wrong C (RTL bug): see the table")
    return 0 if len(rows) == expected and worst <= TOL and not wrong else 1


if __name__ == "__main__":
    sys.exit(main())
