"""The import graph among r1bench modules has no cycle (the data flow never turns back).

Every ``import`` statement counts, at module level and inside functions alike (a deferred import
still ties the two modules together; ``if TYPE_CHECKING:`` blocks, which never run, are left out).
Two graphs are checked: module to module, and the same edges collapsed to the top-level units
``r1bench.<name>`` (a subpackage counts as one unit, since importing any of its modules runs its
``__init__``: ``records -> grading -> grading.cli -> records`` was such a cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def _modules() -> dict[str, tuple[Path, bool]]:
    mods: dict[str, tuple[Path, bool]] = {}
    for path in sorted((ROOT / "r1bench").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        mods[".".join(parts[:-1] if is_pkg else parts)] = (path, is_pkg)
    return mods


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            skip.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return skip


def import_graph() -> dict[str, set[str]]:
    """module -> the r1bench modules it imports (the longest known prefix of each name)."""
    mods = _modules()

    def known(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, (path, is_pkg) in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_nodes(tree)
        package = mod if is_pkg else mod.rpartition(".")[0]
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                names = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            for name in names:
                target = known(name) if name.split(".")[0] == "r1bench" else None
                if target and target != mod:
                    graph[mod].add(target)
    return graph


def collapse(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The same edges between top-level units (``r1bench.grading.math`` -> ``r1bench.grading``)."""
    def unit(m: str) -> str:
        return ".".join(m.split(".")[:2])

    out: dict[str, set[str]] = {unit(m): set() for m in graph}
    for a, targets in graph.items():
        out[unit(a)].update(unit(b) for b in targets if unit(b) != unit(a))
    return out


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one member (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _describe(found: list[frozenset[str]], graph: dict[str, set[str]]) -> str:
    return "; ".join(
        ", ".join(f"{a} -> {b}" for a in sorted(c) for b in sorted(graph[a] & c)) for c in found
    )


def test_cycle_finder_on_known_graphs():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [frozenset({"a", "b"})]
    assert collapse({"r1bench.x.a": {"r1bench.y"}, "r1bench.y": {"r1bench.x.b"}, "r1bench.x.b": set()}) == {
        "r1bench.x": {"r1bench.y"}, "r1bench.y": {"r1bench.x"}}


def test_graph_sees_function_level_imports():
    graph = import_graph()
    # r1bench.grading_cli imports records inside main(): still an edge.
    assert "r1bench.records" in graph["r1bench.grading_cli"]
    assert "r1bench.grading" in graph["r1bench.records"]


def test_no_import_cycle_between_modules():
    graph = import_graph()
    found = cycles(graph)
    assert not found, f"import cycles: {_describe(found, graph)}"


def test_no_import_cycle_between_top_level_units():
    graph = collapse(import_graph())
    found = cycles(graph)
    assert not found, f"import cycles between units: {_describe(found, graph)}"


def test_grading_imports_nothing_downstream():
    # Grading is the heart of the data flow: it may read the reasoning split, never what builds on it.
    downstream = {"r1bench.records", "r1bench.metrics", "r1bench.results",
                  "r1bench.lm_eval", "r1bench.api", "r1bench.local",
                  "r1bench.efficiency", "r1bench.grading_cli", "r1bench.cli"}
    graph = collapse(import_graph())
    assert not graph["r1bench.grading"] & downstream
