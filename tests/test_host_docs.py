"""The host documents agree with the models and the RTL: the requantization examples and the
sparsity-map example of docs/host_guide.md are what models/chip/golden.py and models/chip/host_layout.py
compute, the scale-vector position is stated with one formula everywhere, every register field
and error name the docs use exists in rtl/regmap.json, the controller's error constants carry the
regmap's names and values, and the documented 8x8x8 figure is the cycle model's for the stated
flags."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from models.chip.golden import Requant, output_stage
from models.chip.host_layout import map_stride, scale_offset, sparsity_map
from models.chip.regmap import JSON_PATH, REGMAP
from models.cycle.cycle_engine import F_BIAS, F_INT8, engine_cycles

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
GUIDE = (DOCS / "host_guide.md").read_text()
HOST_DOCS = ["host_guide.md", "registers.md", "chip.md", "core.md", "axi.md", "chip_performance.md"]


def _section(text: str, title_start: str) -> str:
    m = re.search(rf"^## {re.escape(title_start)}.*?(?=^## |\Z)", text, re.M | re.S)
    assert m, f"no section '## {title_start}'"
    return m.group(0)


def _table_rows(text: str, header_start: str) -> list[list[str]]:
    """The body rows of the Markdown table whose header row starts with ``header_start``."""
    lines = text.splitlines()
    for i, ln in enumerate(lines):
        if ln.startswith(header_start):
            rows = []
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                rows.append([c.strip() for c in row.strip("|").split("|")])
            return rows
    raise AssertionError(f"no table starting {header_start!r}")


def test_requant_examples_match_golden() -> None:
    rows = _table_rows(_section(GUIDE, "4."), "| acc | bias |")
    assert len(rows) >= 8
    for acc, bias, scale, shift, out, relu, want in rows:
        q = Requant(scale=int(scale), shift=int(shift), relu=relu == "yes", out_int8=out == "int8")
        b = None if bias == "-" else np.array([int(bias)])
        got = int(output_stage(np.array([[int(acc)]]), b, q)[0, 0])
        assert got == int(want), (
            f"host_guide row acc={acc} bias={bias} scale={scale}: golden {got}, doc {want}"
        )


def test_requant_examples_cover_the_rules() -> None:
    """The table shows each rule a driver asks about: a negative tie, a bias wrap, saturation,
    ReLU after requantization, the exact 64-bit product."""
    rows = _table_rows(_section(GUIDE, "4."), "| acc | bias |")
    acc = [int(r[0]) for r in rows]
    assert any(
        a < 0 and int(r[3]) > 0 and (a % (1 << int(r[3]))) == 1 << (int(r[3]) - 1)
        for a, r in zip(acc, rows, strict=True)
    )
    assert any(r[1] != "-" and int(r[0]) + int(r[1]) > 2**31 - 1 for r in rows)
    assert any(r[5] == "yes" and int(r[0]) < 0 < int(r[6]) for r in rows)
    assert any(abs(int(r[0]) * int(r[2])) >= 2**62 for r in rows)


def test_sparsity_map_example() -> None:
    sec = _section(GUIDE, "5.")
    m = re.search(r"array_n = (\d+), bus_bytes = (\d+), K = (\d+), N = (\d+)", sec)
    assert m
    array_n, bus_bytes, k, n = map(int, m.groups())
    kb, ct = -(-k // array_n), -(-n // array_n)
    zero = np.zeros((kb, ct), dtype=bool)
    zero[[1, 2, 9], 0] = True  # the example's zero blocks, as the text lists them
    zero[:, 2] = True
    assert (
        "k-blocks 1, 2 and 9" in sec and "none in column tile 1" in sec and "all\nten in column tile 2" in sec
    )
    block = re.search(r"```text\noffset  bytes \(hex\)\n(.*?)```", sec, re.S)
    assert block
    doc = b"".join(bytes.fromhex(" ".join(ln.split()[1:])) for ln in block.group(1).splitlines())
    assert doc == sparsity_map(zero, bus_bytes)
    assert len(doc) == ct * map_stride(k, array_n, bus_bytes)


def test_scale_offset_table() -> None:
    rows = _table_rows(_section(GUIDE, "2."), "| N | array_n = 4 |")
    for n, *offs in rows:
        for array_n, off in zip((4, 8, 16), offs, strict=True):
            assert scale_offset(int(n), array_n) == int(off), (n, array_n, off)


def test_one_scale_formula() -> None:
    """The register map, the architecture page and the guide state the same position."""
    formula = "4 * array_n * ceil(N / array_n)"
    assert formula in REGMAP.reg("BIAS_ADDR").desc
    assert "BIAS_ADDR + " + formula in GUIDE
    assert "BIAS_ADDR + 4 * ceil(N / ARRAY_N) * ARRAY_N" in (DOCS / "chip.md").read_text()
    for doc in HOST_DOCS:
        text = (DOCS / doc).read_text()
        assert "rounded up to a multiple of HWCFG.bus_bytes" not in text, doc


@pytest.mark.parametrize("doc", HOST_DOCS)
def test_register_fields_named_in_docs_exist(doc: str) -> None:
    text = (DOCS / doc).read_text()
    names = {r.name for r in REGMAP.registers}
    for reg, fld in re.findall(r"\b([A-Z][A-Z0-9_]+)\.([a-z][a-z0-9_]*)\b", text):
        if reg in names:
            assert fld in {f.name for f in REGMAP.reg(reg).fields}, f"{doc}: {reg}.{fld} is not a field"


@pytest.mark.parametrize("doc", HOST_DOCS)
def test_one_name_per_error(doc: str) -> None:
    """Error codes appear under their regmap names only (no `range`, `misaligned`, MEM_LIMIT)."""
    text = (DOCS / doc).read_text()
    assert "MEM_LIMIT" not in text, f"{doc}: MEM_LIMIT is called MEM_BYTES"
    said = re.findall(r"(?:error(?: code)?|refused with|code) `([A-Za-z_]+)`", text)
    # the last column of a limits table ("refused with"): `CODE` or `CODE`, `CODE`
    last_cols = re.findall(r"^\|.*\| (`[A-Z][A-Z_]{3,}`(?:, `[A-Z][A-Z_]{3,}`)*) \|$", text, re.M)
    said += [c for col in last_cols for c in re.findall(r"`([A-Z_]+)`", col)]
    for name in said:
        assert name in REGMAP.error_codes, f"{doc}: error `{name}` is not a regmap error code"


def test_controller_error_names_are_the_regmap_names() -> None:
    rtl = (REPO / "rtl" / "gemm_controller.v").read_text()
    consts = dict(re.findall(r"\bE_([A-Z_]+) = 8'd(\d+)", rtl))
    assert consts, "no error constants found in gemm_controller.v"
    for name, value in consts.items():
        assert name in REGMAP.error_codes, f"gemm_controller.v: E_{name} is not in {JSON_PATH.name}"
        assert REGMAP.error_codes[name] == int(value), (
            f"E_{name} = {value}, regmap {REGMAP.error_codes[name]}"
        )


def test_build_limits_are_registers() -> None:
    """KMAX, MEM_BYTES, A_PANELS and CHAIN_MAX are readable by the host."""
    resets = {f.reset for r in REGMAP.registers for f in r.fields if isinstance(f.reset, str)}
    for p in ("ARRAY_N", "BUS_W/8", "A_PANELS", "KMAX", "CHAIN_MAX", "MEM_BYTES"):
        assert p in resets, f"no register field reports {p}"


def test_8x8x8_figure_is_the_stated_configuration() -> None:
    """docs/chip_performance.md's 8x8x8 row and the README figure are the cycle model's count for
    the flags the docs name (out_int8 | bias_en, overlap on, latency 20/20); the RTL side of this
    is tb/test_chip_contract.py::test_8x8x8_figure_conditions."""
    perf = (DOCS / "chip_performance.md").read_text()
    row = re.search(r"^\| gemm_8x8x8 \| 8 x 8 x 8 \| on \| ([\d,]+) \|", perf, re.M)
    assert row
    figure = int(row.group(1).replace(",", ""))
    model = engine_cycles(8, 8, 8, flags=F_INT8 | F_BIAS, read_latency=20, write_latency=20, c_addr=0, ldc=8)
    assert model["total"] == figure
    assert f"**{figure} cycles**" in (REPO / "README.md").read_text()
    assert f"The {figure} cycles for one 8 x 8 x 8 GEMM" in GUIDE and "`out_int8 | bias_en`" in GUIDE
    for other, flags in (("103", F_INT8), ("134", F_BIAS)):
        assert engine_cycles(8, 8, 8, flags=flags, c_addr=0, ldc=8 if flags & F_INT8 else 32)["total"] == int(
            other
        )
        assert f" {other} " in _section(GUIDE, "8.")
