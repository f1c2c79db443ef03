"""Markdown of a `make fpga` result (tools/fpga.py writes it to build/fpga/fpga.md)."""

from __future__ import annotations


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f} %"


def render_markdown(r: dict) -> str:
    p = r["params"]
    lines = [
        f"# csai_chip on {r['part']} ({r['package']}, speed {r['speed_grade']})",
        "",
        f"nextpnr-ecp5 {r['tools']['nextpnr']} after Yosys {r['tools']['yosys']} `synth_ecp5`; "
        f"{r['wrapper']}; seed {r['seed']}, target {r['target_mhz']:g} MHz. "
        f"ARRAY_N={p['ARRAY_N']}, BUS_W={p['BUS_W']}, KMAX={p['KMAX']}, A_PANELS={p['A_PANELS']}. "
        f"RTL sha256 {r['rtl_sha256'][:12]}. Runtime: "
        + ", ".join(f"{k} {v:.0f} s" for k, v in r["runtime_s"].items())
        + ".",
        "",
        "## Fmax (nextpnr's timing analysis after routing)",
        "",
        "| clock | achieved | target | |",
        "| --- | ---: | ---: | --- |",
    ]
    for clk, f in r["fmax"].items():
        ok = "met" if f["met"] else "**FAILS**"
        lines.append(f"| `{clk}` | {f['achieved_mhz']:.2f} MHz | {f['constraint_mhz']:.2f} MHz | {ok} |")
    lines += ["", "## Utilisation", "", "| resource | used | available | % |", "| --- | ---: | ---: | ---: |"]
    for k, u in r["utilisation"].items():
        lines.append(f"| {k} | {u['used']:,} | {u['available']:,} | {_pct(u['percent'])} |")
    lines += [
        "",
        "LUT4 = TRELLIS_COMB (LUT4s, carry halves, distributed-RAM LUTs), FF = TRELLIS_FF; the wrapper's",
        "port registers are included in FF.",
        "",
        "## Worst path per clock pair",
        "",
    ]
    for cp in r["critical_paths"]:
        lines += [
            f"**{cp['from_clock']} -> {cp['to_clock']}: {cp['delay_ns']:.2f} ns** "
            f"({cp['logic_levels']} logic levels; logic {cp['logic_ns']:.2f} ns, "
            f"routing {cp['routing_ns']:.2f} ns)",
            "",
            f"- start: `{cp['start']}`",
            f"- end: `{cp['end']}`",
            f"- RTL on the path: {', '.join(cp['rtl_sources']) or '-'}",
            "",
        ]
    if r.get("arrival_by_block"):
        lines += [
            "## Worst arrival per block",
            "",
            "Latest arrival (ns after the clock edge) at any endpoint in each block, from the detailed",
            "net timings: how close each block is to the critical path.",
            "",
            "| block | worst arrival |",
            "| --- | ---: |",
        ]
        lines += [f"| `{b}` | {a:.2f} ns |" for b, a in r["arrival_by_block"].items()]
        lines.append("")
    if r.get("worst_endpoints"):
        lines += [
            "## Worst endpoints",
            "",
            "| endpoint | arrival | RTL of the last net |",
            "| --- | ---: | --- |",
        ]
        for e in r["worst_endpoints"]:
            srcs = ", ".join(e["rtl_sources"]) or "-"
            lines.append(f"| `{e['endpoint']}` | {e['arrival_ns']:.2f} ns | {srcs} |")
        lines.append("")
    return "\n".join(lines)
