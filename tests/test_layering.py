"""Dependencies point one way (design brief): web → schema → connectors (through the
contract) → outside systems; gateway wires them. Checked on every import statement,
including those only made for type checking."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: package → top-level packages (or dotted prefixes) it must never import.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    # Words are below everything: every layer reads its texts from them.
    "words": ("store", "connectors", "schema", "web", "gateway", "accessibility", "demo"),
    # The hub's own data is the ground floor: it knows nothing of what reads it.
    "store": ("connectors", "schema", "web", "gateway", "accessibility", "demo"),
    "connectors": ("schema", "web", "gateway", "accessibility", "demo"),
    "accessibility": ("schema", "web", "gateway", "connectors", "demo"),
    "schema": (
        "web",
        "gateway",
        "demo",
        # Concrete connector kinds: the schema reaches sources through the federation.
        "connectors.native",
        "connectors.soap",
        "connectors.sql",
        "connectors.spreadsheet",
        "connectors.rest",
    ),
    # The pages reach data only through the schema.
    "web": ("gateway", "connectors", "store", "demo"),
    # The demo stands apart: the product runs without it (tests/test_demo_apart.py).
    "gateway": ("demo",),
    "config": ("demo",),
}
#: The one product module that may import `demo`: where the CLI starts the demo.
DEMO_STARTER = "gateway/cli.py"


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    problems = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, module in imported_modules(path):
            if module.startswith("demo.") and path == ROOT / DEMO_STARTER:
                continue
            for prefix in forbidden:
                if module == prefix or module.startswith(prefix + "."):
                    problems.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return problems


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_dependencies_point_one_way(package: str) -> None:
    assert violations(package, FORBIDDEN[package]) == []


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "example.py"
    module.write_text("from gateway.identity import Identity\nimport web.csrf\n")
    assert imported_modules(module) == [(1, "gateway.identity.Identity"), (2, "web.csrf")]


def through_connectors_api(package: str, root: Path = ROOT) -> list[str]:
    """Imports of `connectors` other than the names its `__init__` exports."""
    exported = set(importlib.import_module("connectors").__all__)
    problems = []
    for path in sorted((root / package).rglob("*.py")):
        for line, module in imported_modules(path):
            if module == "connectors" or not module.startswith("connectors."):
                continue
            if module.removeprefix("connectors.") not in exported:
                problems.append(f"{path.relative_to(root)}:{line} imports {module}")
    return problems


def test_schema_reaches_connectors_only_through_their_public_api() -> None:
    assert through_connectors_api("schema") == []


def test_the_check_sees_a_connector_module_imported_past_the_api(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "m.py").write_text(
        "from connectors import Federation\nfrom connectors.dispatch import Dispatcher\n"
    )
    assert through_connectors_api("pkg", tmp_path) == [
        "pkg/m.py:2 imports connectors.dispatch.Dispatcher"
    ]
