"""Generate docs/registers.md and the constants block of rtl/csr_regfile.v from rtl/regmap.json.

    .venv/bin/python tools/gen_regs.py           # rewrite both files if they changed
    .venv/bin/python tools/gen_regs.py --check   # exit 1 if either file is stale (CI)

The logic lives in models/chip/regmap.py (the same module the testbenches use as their register
model); tests/test_regmap.py runs the --check comparison under pytest.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.chip.regmap import DOC_PATH, RTL_PATH, load, render_markdown, render_verilog, splice, validate


def outputs() -> dict[Path, str]:
    """Every generated file and the text it must hold."""
    rm = load()
    problems = validate(rm)
    if problems:
        raise SystemExit("rtl/regmap.json is inconsistent:\n  " + "\n  ".join(problems))
    return {
        DOC_PATH: render_markdown(rm),
        RTL_PATH: splice(RTL_PATH.read_text(), render_verilog(rm)),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report stale files, write nothing")
    args = ap.parse_args(argv)
    stale = []
    for path, text in outputs().items():
        if path.exists() and path.read_text() == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(text)
            print(f"wrote {path.relative_to(path.parent.parent)}")
    if args.check and stale:
        print("stale (run .venv/bin/python tools/gen_regs.py): " + ", ".join(str(p) for p in stale))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
