"""Open the wave dump of one build after ``make waves TEST=... [ARRAY_N=..] [BUS_W=..]`` in
GTKWave, with the block's save file (tb/waves/<toplevel>.gtkw) and zoomed to the whole run
(tb/waves/zoom_full.tcl).

The build is the one whose folder (``build/sim/<simulator>/<build>/build.json``, written by
tb/env/sim.py) runs a cocotb module containing TEST and whose ARRAY_N / BUS_W parameters match the knobs; with
several (e.g. both bus widths) the newest dump is opened and the others listed. Without GTKWave
(a desktop program: ``apt-get install gtkwave``) it prints where the dump is and exits cleanly.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tb.flows.select import cocotb_tests

REPO = Path(__file__).resolve().parent.parent.parent


def matching_dumps(test: str, array_n: str, bus_w: str) -> list[Path]:
    rx = re.compile(rf"(^|\.){re.escape(test)}$")
    out = []
    for info_file in (REPO / "build" / "sim").glob("*/*/build.json"):
        info = json.loads(info_file.read_text())
        params = {k.upper(): str(v) for k, v in info["parameters"].items()}
        if array_n and params.get("ARRAY_N", array_n) != array_n:
            continue
        if bus_w and params.get("BUS_W", bus_w) != bus_w:
            continue
        if not any(rx.search(t) for m in info["test_modules"] for t in cocotb_tests(m)):
            continue
        dump = info_file.parent / f"{info['toplevel']}.fst"
        if dump.exists():
            out.append(dump)
    return sorted(out, key=lambda p: p.stat().st_mtime)


def main(test: str, array_n: str = "", bus_w: str = "") -> int:
    dumps = matching_dumps(test, array_n, bus_w)
    if not dumps:
        print(f"no wave dump of {test} (ARRAY_N={array_n or 'any'} BUS_W={bus_w or 'any'}) under build/sim/")
        return 1
    dump = dumps[-1]
    if len(dumps) > 1:
        others = ", ".join(d.parent.name for d in dumps[:-1])
        print(
            f"several builds ran {test}; opening {dump.parent.name} (others: {others}; pick one with BUS_W=)"
        )
    save = REPO / "tb" / "waves" / f"{dump.stem}.gtkw"
    print(f"wave dump: {dump}")
    if not shutil.which("gtkwave"):
        print("gtkwave is not installed (apt-get install gtkwave); open the dump above with any FST viewer")
        return 0
    cmd = ["gtkwave", str(dump)] + ([str(save)] if save.exists() else [])
    cmd += ["-S", str(REPO / "tb" / "waves" / "zoom_full.tcl")]
    print("running:", " ".join(cmd))
    return subprocess.call(cmd)


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:4]))
