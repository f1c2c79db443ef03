"""Reading Yosys' output for tools/synth.py: cell statistics, memories, flip-flops per block, how
the FPGA flow mapped each memory, and the Markdown table. Pure functions of text, unit-tested on
canned Yosys output in tests/test_synth_report.py."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

TOP = "csai_chip"
FPGA_TARGET = "ecp5"
WRAPPERS = ("u_engine",)  # instances that only group others (rtl/gemm_engine.v)


class SynthError(RuntimeError):
    pass


# Yosys internal single-bit flip-flop cell types after techmap ($_DFF_P_, $_SDFFE_PP0P_, ...).
_FF_GATE = re.compile(r"^\$_(ALDFFE?|DFFSRE?|DFFE?|SDFFC?E?|DLATCH|SR)_[A-Z0-9]*_$")
# ECP5 cells and what they count as.
ECP5_LUT = {"LUT4": 1, "CCU2C": 2}  # a CCU2C carry cell holds two LUT4s
ECP5_MUX = {"PFUMX", "L6MUX21"}
ECP5_FF = {"TRELLIS_FF"}
ECP5_BRAM = {"DP16KD": 18432, "PDPW16KD": 18432}
ECP5_DSP = {"MULT18X18D", "ALU54B"}
ECP5_LUTRAM = {"TRELLIS_DPR16X4": 64}


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
    """FF bits of a coarse `dump`, by the first hierarchy level of the Q signal's name (the second
    inside a wrapper such as u_engine)."""
    blocks: dict[str, int] = {}
    for c in parse_rtlil_cells(text):
        if "dff" not in c["type"] and "dlatch" not in c["type"]:
            continue
        width = int(c["params"].get("WIDTH", 1))
        m = _SIG_NAME.search(c["conns"].get("Q", ""))
        name = m.group(1) if m else ""
        parts = name.split(".")
        # a wrapper instance (gemm_engine) is split into the blocks it holds
        depth = 2 if parts[0] in WRAPPERS and len(parts) > 2 else 1
        block = ".".join(parts[:depth]) if len(parts) > 1 else f"{TOP} (top)"
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
