"""One home for words (issue 11): what a citizen, an officer or an API client reads comes
from the gettext catalogues, not from Spanish literals in Python code.

The check finds Spanish text in string literals of the product's Python code: a word with
Spanish accents or ¿¡, or two or more Spanish-only words. Docstrings and the schema's
descriptions (`description=`, English documentation for developers that keeps Dominican
names such as "Oficina Nacional de Estadística"; the SDL test pins them) are not texts a
citizen reads.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("words", "gateway", "store", "connectors", "schema", "web", "accessibility")
ACCENTED = re.compile(r"[áéíóúñÁÉÍÓÚÑ¿¡]")
SPANISH_WORDS = re.compile(
    r"\b(el|la|los|las|del|que|una|para|por|está|este|esta|su|sus|con|sin|puede|debe|"
    r"inténtelo|solicitud|ayuntamiento)\b",
    re.IGNORECASE,
)


def is_spanish(text: str) -> bool:
    if len(text.split()) < 2:
        return False
    return bool(ACCENTED.search(text)) or len(SPANISH_WORDS.findall(text)) >= 2


def _not_read_by_citizens(tree: ast.AST) -> set[int]:
    """Ids of the constants that are docstrings or schema descriptions."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        ):
            skipped.add(id(node.body[0].value))
        elif isinstance(node, ast.keyword) and node.arg == "description":
            skipped.update(id(part) for part in ast.walk(node.value))
    return skipped


def spanish_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = _not_read_by_citizens(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skipped
        and is_spanish(node.value)
    ]


def counts(root: Path, packages: tuple[str, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            literals = spanish_literals(path)
            if literals:
                found[str(path.relative_to(root))] = len(literals)
    return found


def test_no_spanish_literal_in_python_code() -> None:
    found = {
        str(path.relative_to(ROOT)): literals
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if (literals := spanish_literals(path))
    }
    assert found == {}, "move these texts into the catalogues (words/locale)"


def test_the_check_sees_a_spanish_sentence_but_not_a_docstring(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "m.py").write_text(
        '"""Módulo con una descripción."""\n'
        'MESSAGE = "El sistema del ayuntamiento no responde."\n'
        'CODE = "UPSTREAM_TIMEOUT"\n'
        'ENGLISH = "The municipality\'s system did not answer."\n'
        'def f():\n    """Qué hace."""\n    return f"Inténtelo de nuevo, {1}"\n'
        'x = field(description="Código de la Oficina Nacional de Estadística.")\n'
    )
    assert spanish_literals(package / "m.py") == [
        (2, "El sistema del ayuntamiento no responde."),
        (7, "Inténtelo de nuevo, "),
    ]
    assert counts(tmp_path, ("pkg",)) == {"pkg/m.py": 2}
