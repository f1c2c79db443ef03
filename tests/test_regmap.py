"""The register map has one source (rtl/regmap.json): the docs and the RTL constants generated
from it must match it exactly, and the map itself must be consistent."""

from __future__ import annotations

import pytest

from models.chip.regmap import (
    DOC_PATH,
    REGMAP,
    RTL_PATH,
    generated_block,
    render_markdown,
    render_verilog,
    validate,
)

REGEN = "run `.venv/bin/python tools/gen_regs.py` and review the diff"


def test_json_is_consistent() -> None:
    assert validate(REGMAP) == []


def test_docs_match_json() -> None:
    assert DOC_PATH.read_text() == render_markdown(REGMAP), f"docs/registers.md is stale: {REGEN}"


def test_rtl_constants_match_json() -> None:
    assert generated_block(RTL_PATH.read_text()) == render_verilog(REGMAP), (
        f"the GENERATED block of rtl/csr_regfile.v is stale: {REGEN}"
    )


def test_gen_regs_check_mode() -> None:
    from tools.gen_regs import main

    assert main(["--check"]) == 0


@pytest.mark.parametrize("reg", [r.name for r in REGMAP.registers])
def test_encode_decode_roundtrip(reg: str) -> None:
    r = REGMAP.reg(reg)
    fields = {f.name: (1 << f.width) - 1 for f in r.fields}
    word = REGMAP.encode(reg, **fields)
    assert word == r.mask()
    assert REGMAP.decode(reg, word) == fields


def test_validate_catches_problems() -> None:
    import copy
    from dataclasses import replace

    bad = copy.deepcopy(REGMAP)
    bad.registers[1] = replace(bad.registers[1], offset=bad.registers[0].offset)
    assert any("also used" in p for p in validate(bad))
    bad = copy.deepcopy(REGMAP)
    ctrl = bad.reg("CTRL")
    i = bad.registers.index(ctrl)
    bad.registers[i] = replace(ctrl, fields=(*ctrl.fields, replace(ctrl.fields[0], name="dup")))
    assert any("overlaps" in p for p in validate(bad))
