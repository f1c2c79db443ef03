"""Summary table printed at the end of ``make sim``: pass/fail per cocotb test and the cycle
counts the RTL recorded in build/results/ (one line per test and array size)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from tb.results import load_all

BUILD = Path(__file__).resolve().parent.parent / "build"
SEED_8X8_CYCLES = 532  # the design note's measured 8x8x8 matmul (../shared/seed)


def cocotb_outcomes() -> dict[tuple[str, str], str]:
    """(build folder, test name) -> PASS/FAIL from each build's cocotb results.xml."""
    out: dict[tuple[str, str], str] = {}
    for xml in sorted((BUILD / "sim").glob("*/*/results.xml")):  # build/sim/<simulator>/<build>
        for case in ET.parse(xml).iter("testcase"):
            failed = case.find("failure") is not None or case.find("error") is not None
            out[(xml.parent.name, case.get("name", "?"))] = "FAIL" if failed else "PASS"
    return out


def main() -> int:
    outcomes = cocotb_outcomes()
    records = load_all(BUILD / "results") if (BUILD / "results").exists() else []
    per_test: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in records:
        per_test[(r.get("build", ""), r["test"])].append(r)
    rows = []
    for (build, test), status in sorted(outcomes.items()):
        recs = per_test.get((build, test), [])
        cycles = sum(r["cycles"] for r in recs)
        macs = sum(r["macs"] for r in recs)
        rate = f"{macs / cycles:8.2f}" if cycles else "       -"
        rows.append(f"{build:<28} {test:<40} {status:<4} {len(recs):>5} {cycles:>10} {rate}")
    print()
    print(f"{'build':<28} {'test':<40} {'res':<4} {'ops':>5} {'cycles':>10} {'MAC/cyc':>8}")
    print("-" * 100)
    print("\n".join(rows) if rows else "(no cocotb results found under build/sim)")
    failed = sum(1 for s in outcomes.values() if s == "FAIL")
    print("-" * 100)
    print(
        f"cocotb tests: {len(outcomes) - failed} passed, {failed} failed; {len(records)} operations recorded"
    )
    single = [
        r
        for r in records
        if r["array_n"] == 8 and (r["m"], r["n"], r["k"]) == (8, 8, 8) and r.get("operands_in_buffers")
    ]
    if single:
        best = min(r["cycles"] for r in single)
        print(
            f"8x8x8 matmul, operands in the core's buffers: {best} cycles "
            f"(design note: {SEED_8X8_CYCLES}; {SEED_8X8_CYCLES / best:.1f}x fewer), "
            f"{2 * 512 / best:.1f} ops/cycle vs the note's 1.92"
        )
    whole = [
        r
        for r in records
        if r["test"] == "test_gemm_8x8x8_latency" and r["array_n"] == 8 and r.get("bus_w") == 64
    ]
    if whole:
        c = min(r["cycles"] for r in whole)
        print(
            f"8x8x8 GEMM on the whole chip, START to C written over AXI (memory latency 20): {c} cycles "
            f"(PERF_CYCLES; target <= 120)"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
