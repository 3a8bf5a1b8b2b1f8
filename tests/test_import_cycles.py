"""No import cycle between the project's modules, and the check that finds them.

Every import statement counts: at module level, inside a function (an import hidden in a
function is how a cycle is usually papered over) and under `if TYPE_CHECKING:` (a cycle of
types is still a cycle of concepts). `from package import module` is an edge to that
module, not to the package's `__init__`.

`KNOWN_CYCLES` lists the cycles that remain, each to be removed (issue 11); the test fails
on a new cycle and on a listed one that is gone, so the list can only shrink.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "words",
    "store",
    "connectors",
    "schema",
    "web",
    "gateway",
    "accessibility",
    "demo",
    "config",
)

#: Cycles still to break (issue 11): the GraphQL type graph Municipality ↔ Service ↔
#: ServiceRequest, whose resolvers import each other's types inside functions.
KNOWN_CYCLES: frozenset[frozenset[str]] = frozenset(
    {
        frozenset(
            {
                "schema.context",
                "schema.departments.resolvers",
                "schema.municipalities.types",
                "schema.partial",
                "schema.personal",
                "schema.requests.access",
                "schema.requests.attachments",
                "schema.requests.forms",
                "schema.requests.types",
                "schema.services.resolvers",
                "schema.services.types",
            }
        ),
    }
)


def modules(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _owner(name: str, known: Mapping[str, Path]) -> str | None:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(known: Mapping[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        edges: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    module = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    module = node.module or ""
                submodules = [f"{module}.{alias.name}" for alias in node.names]
                targets = submodules if all(s in known for s in submodules) else [module]
            for target in targets:
                owner = _owner(target, known)
                if owner is not None and owner != name:
                    edges.add(owner)
        graph[name] = edges
    return graph


def cycles(graph: Mapping[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            advanced = False
            for target in edges:
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.get(target, ())))))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.add(frozenset(component))
    return found


def describe(found: Iterable[frozenset[str]], graph: Mapping[str, set[str]]) -> list[str]:
    return [
        " ; ".join(f"{m} -> {', '.join(sorted(graph[m] & c))}" for m in sorted(c))
        for c in sorted(found, key=sorted)
    ]


def test_no_import_cycle_but_the_known_ones_which_can_only_go() -> None:
    graph = import_graph(modules(ROOT, PACKAGES))
    found = cycles(graph)
    assert describe(found - KNOWN_CYCLES, graph) == [], "new import cycles"
    assert sorted(map(sorted, KNOWN_CYCLES - found)) == [], "gone: remove from KNOWN_CYCLES"


def test_the_check_names_a_cycle_hidden_in_a_function(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from pkg import a\n")
    (package / "a.py").write_text("from pkg.b import thing\n")
    (package / "b.py").write_text("def thing():\n    from pkg import a\n    return a\n")
    (package / "c.py").write_text("from pkg import a, b\n")
    graph = import_graph(modules(tmp_path, ["pkg"]))
    found = cycles(graph)
    assert found == {frozenset({"pkg.a", "pkg.b"})}
    assert describe(found, graph) == ["pkg.a -> pkg.b ; pkg.b -> pkg.a"]
