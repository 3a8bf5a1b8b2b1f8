"""No import cycle between the project's modules, and the check that finds them.

Every import that runs counts: at module level and inside a function (an import hidden in
a function is how a cycle is usually papered over). `from package import module` is an edge
to that module, not to the package's `__init__`.

Imports under `if TYPE_CHECKING:` never run and do not count. The API's type graph is
cyclic by design (a municipality lists its services, a service names its municipality,
and the SDL is fixed), so the code depends one way (`schema.municipalities.types` imports
`schema.services`) and the other side names the type for the type checker only, through
`strawberry.lazy`. `tests/test_layering.py` still checks those imports' direction between
packages.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
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


def _packages_of(module: str, known: Mapping[str, Path]) -> list[str]:
    parts = module.split(".")
    return [p for i in range(1, len(parts)) if (p := ".".join(parts[:i])) in known]


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_time_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node but the bodies of `if TYPE_CHECKING:` (their `else:` runs)."""
    pending = [tree]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(node.orelse)
            continue
        pending.extend(ast.iter_child_nodes(node))


def import_graph(known: Mapping[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        edges: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _run_time_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
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
                    # Python runs the packages' `__init__` on the way to the module, except
                    # those the importer is itself inside (already running).
                    edges.update(p for p in _packages_of(owner, known) if not _inside(name, p))
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


def test_no_import_cycle() -> None:
    graph = import_graph(modules(ROOT, PACKAGES))
    found = cycles(graph)
    assert describe(found, graph) == [], "import cycles"


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


def test_an_import_only_for_the_type_checker_closes_no_cycle(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("import pkg.b\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import A\n"
        "else:\n    import pkg.c\n"
    )
    (package / "c.py").write_text("import typing\nif typing.TYPE_CHECKING:\n    import pkg.b\n")
    graph = import_graph(modules(tmp_path, ["pkg"]))
    assert graph["pkg.a"] == {"pkg.b"}
    assert graph["pkg.b"] == {"pkg.c"}  # the `else:` branch runs
    assert graph["pkg.c"] == set()
    assert cycles(graph) == set()


def test_importing_a_module_runs_its_package_init(tmp_path: Path) -> None:
    """What `schema.requests/__init__` did: loading the mutations for anyone who imported
    one small module of the package, closing a cycle that the import lines alone hide."""
    for folder in ("pkg", "pkg/sub"):
        (tmp_path / folder).mkdir()
    (tmp_path / "pkg/__init__.py").write_text("")
    (tmp_path / "pkg/low.py").write_text("from pkg.sub import fields\n")
    (tmp_path / "pkg/sub/__init__.py").write_text("from pkg.sub import heavy\n")
    (tmp_path / "pkg/sub/fields.py").write_text("X = 1\n")
    (tmp_path / "pkg/sub/heavy.py").write_text("from pkg import low\n")
    graph = import_graph(modules(tmp_path, ["pkg"]))
    assert graph["pkg.low"] == {"pkg.sub.fields", "pkg.sub"}
    assert cycles(graph) == {frozenset({"pkg.low", "pkg.sub", "pkg.sub.heavy"})}
