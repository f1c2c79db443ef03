"""Open the wave dump of the last ``make waves`` run in GTKWave with the block's save file.

Without GTKWave (a desktop program: ``apt-get install gtkwave``) it prints where the dump is and
exits cleanly."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(test_file: str, array_n: str) -> int:
    dumps = sorted((REPO / "build" / "sim").glob("*/*/*.fst"), key=lambda p: p.stat().st_mtime)
    if not dumps:
        print("no wave dump found under build/sim/ (did the test run?)")
        return 1
    dump = dumps[-1]
    save = REPO / "tb" / "waves" / f"{dump.stem}.gtkw"
    print(f"wave dump: {dump}")
    if not shutil.which("gtkwave"):
        print("gtkwave is not installed (apt-get install gtkwave); open the dump above with any FST viewer")
        return 0
    cmd = ["gtkwave", str(dump)] + ([str(save)] if save.exists() else [])
    print("running:", " ".join(cmd))
    return subprocess.call(cmd)


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]))
