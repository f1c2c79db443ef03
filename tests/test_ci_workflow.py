"""The GitHub Actions workflow parses as YAML and every make target it runs exists here."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
# targets the workflow names that another branch of issue 8 brings (the Verilator backend)
PENDING = {"coverage"}


def test_workflow_parses_and_uses_make_targets() -> None:
    wf = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text())
    jobs = wf["jobs"]
    assert {"lint", "test", "regress"} <= set(jobs), sorted(jobs)
    runs = [s["run"] for j in jobs.values() for s in j["steps"] if "run" in s]
    used = {m for r in runs for m in re.findall(r"\bmake (\w[\w-]*)", r)}
    makefile = (REPO / "Makefile").read_text()
    defined = set(re.findall(r"^([\w-]+):", makefile, flags=re.M))
    missing = used - defined - PENDING
    assert not missing, f"the workflow runs make targets the Makefile lacks: {sorted(missing)}"
    assert {"lint", "test", "regress", "fcov"} <= used, sorted(used)
    assert any("SHARD=" in r for r in runs), "the regression is not sharded"
