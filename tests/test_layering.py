"""Dependencies point one way (design brief): web → schema → connectors (through the
contract) → outside systems; gateway wires them. Checked on every import statement,
including those only made for type checking."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: package → top-level packages (or dotted prefixes) it must never import.
FORBIDDEN: dict[str, tuple[str, ...]] = {
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
    "web": ("gateway", "connectors", "demo"),
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
