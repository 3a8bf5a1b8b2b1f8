"""One home for words (issue 11): what a citizen, an officer or an API client reads comes
from the gettext catalogues, not from Spanish literals in Python code.

The check finds Spanish text in string literals of the product's Python code (docstrings
aside): a word with Spanish accents or ¿¡, or two or more Spanish-only words. The literals
not yet moved into the catalogues are counted per file in `NOT_YET_IN_CATALOGUES`; the
test fails on a new file or a higher count, and on a count that went down without the
table following, so the table can only shrink until it is empty.
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

#: Files whose Spanish literals still wait to move into the catalogues, and how many.
NOT_YET_IN_CATALOGUES: dict[str, int] = {
    "connectors/convert.py": 1,
    "connectors/errors.py": 6,
    "connectors/mapping.py": 1,
    "connectors/resilience.py": 1,
    "connectors/rest/errors.py": 1,
    "connectors/spreadsheet/connector.py": 1,
    "connectors/spreadsheet/errors.py": 3,
    "connectors/spreadsheet/hooks.py": 3,
    "connectors/spreadsheet/records.py": 1,
    "connectors/spreadsheet/tables.py": 2,
    "connectors/tenants.py": 8,
    "gateway/body_limit.py": 1,
    "gateway/csrf.py": 3,
    "gateway/identity/errors.py": 7,
    "gateway/identity/middleware.py": 1,
    "gateway/limits.py": 1,
    "gateway/open311/words.py": 21,
    "gateway/query_cost.py": 1,
    "gateway/query_limits.py": 2,
    "gateway/ratelimit/middleware.py": 1,
    "schema/audit/resolvers.py": 4,
    "schema/citizens/consent.py": 1,
    "schema/citizens/mutations.py": 9,
    "schema/citizens/resolvers.py": 1,
    "schema/citizens/types.py": 3,
    "schema/citizens/validation.py": 6,
    "schema/deliveries/explanations.py": 13,
    "schema/deliveries/mutations.py": 2,
    "schema/deliveries/resolvers.py": 4,
    "schema/developers/keys.py": 6,
    "schema/developers/mutations.py": 7,
    "schema/developers/permissions.py": 4,
    "schema/municipalities/types.py": 2,
    "schema/paging.py": 2,
    "schema/partial.py": 1,
    "schema/personal.py": 7,
    "schema/requests/access.py": 5,
    "schema/requests/attachments.py": 5,
    "schema/requests/consent.py": 1,
    "schema/requests/mutations.py": 13,
    "schema/requests/public_list.py": 4,
    "schema/requests/resolvers.py": 4,
    "schema/requests/subscriptions.py": 1,
    "schema/requests/types.py": 3,
    "schema/requests/validation.py": 12,
    "schema/services/resolvers.py": 1,
    "schema/services/types.py": 1,
    "store/audit.py": 3,
    "web/citizen_pages.py": 2,
    "web/request_pages.py": 1,
    "web/staff_pages.py": 2,
}


def is_spanish(text: str) -> bool:
    if len(text.split()) < 2:
        return False
    return bool(ACCENTED.search(text)) or len(SPANISH_WORDS.findall(text)) >= 2


def spanish_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
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


def test_no_new_spanish_literal_in_python_code() -> None:
    found = counts(ROOT, PACKAGES)
    grown = {f: n for f, n in found.items() if n > NOT_YET_IN_CATALOGUES.get(f, 0)}
    assert grown == {}, "move these texts into the catalogues (words/locale)"
    shrunk = {f: found.get(f, 0) for f, n in NOT_YET_IN_CATALOGUES.items() if found.get(f, 0) < n}
    assert shrunk == {}, "fewer literals than listed: lower NOT_YET_IN_CATALOGUES"


def test_the_check_sees_a_spanish_sentence_but_not_a_docstring(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "m.py").write_text(
        '"""Módulo con una descripción."""\n'
        'MESSAGE = "El sistema del ayuntamiento no responde."\n'
        'CODE = "UPSTREAM_TIMEOUT"\n'
        'ENGLISH = "The municipality\'s system did not answer."\n'
        'def f():\n    """Qué hace."""\n    return f"Inténtelo de nuevo, {1}"\n'
    )
    assert spanish_literals(package / "m.py") == [
        (2, "El sistema del ayuntamiento no responde."),
        (7, "Inténtelo de nuevo, "),
    ]
    assert counts(tmp_path, ("pkg",)) == {"pkg/m.py": 2}
