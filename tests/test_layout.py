"""The layout README "Layout" promises: models/ in packages by job with no import circle and no
import from tb/; tb/ holds only its testbenches at the top, the rest in tb/env/ and tb/flows/."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports (absolute names; `from a import b` counts a.b when a.b is a
    module of the repo, else a), at any depth of the file (lazy imports too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                is_module = (REPO / sub.replace(".", "/")).with_suffix(".py").exists()
                found.add(sub if is_module else node.module)
    return found


def graph(top: str) -> dict[str, set[str]]:
    files = sorted((REPO / top).rglob("*.py"))
    mods = {module_name(f): f for f in files}
    return {m: {i for i in imports_of(f) if i in mods and i != m} for m, f in mods.items()}


def cycle_in(g: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for n in sorted(g[m]):
            if state.get(n) == 1:
                return [*path[path.index(n) :], n]
            if n not in state and (c := visit(n)):
                return c
        state[m] = 2
        path.pop()
        return None

    for m in sorted(g):
        if m not in state and (c := visit(m)):
            return c
    return None


def test_cycle_finder_finds_a_circle() -> None:
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_circle_in_models_or_tb() -> None:
    for top in ("models", "tb"):
        assert cycle_in(graph(top)) is None, top


def test_models_never_import_tb() -> None:
    for f in sorted((REPO / "models").rglob("*.py")):
        bad = {i for i in imports_of(f) if i == "tb" or i.startswith("tb.")}
        assert not bad, f"{f.relative_to(REPO)} imports {sorted(bad)}"


def test_models_are_packages_by_job() -> None:
    top = {f.name for f in (REPO / "models").glob("*.py")}
    assert top == {"__init__.py"}, f"modules left at models/: {sorted(top - {'__init__.py'})}"
    packages = {p.name for p in (REPO / "models").iterdir() if (p / "__init__.py").exists()}
    assert packages == {"chip", "cycle", "transformer", "report", "demo"}


def test_tb_top_level_holds_only_testbenches() -> None:
    top = {f.name for f in (REPO / "tb").glob("*.py")}
    others = sorted(n for n in top if not n.startswith("test_") and n not in ("__init__.py", "conftest.py"))
    assert not others, f"tb/ modules that belong in tb/env/ or tb/flows/: {others}"
    # the environment never depends on the flows built on it
    g = graph("tb")
    for m, deps in g.items():
        if m.startswith("tb.env."):
            assert not {d for d in deps if d.startswith("tb.flows.")}, m
