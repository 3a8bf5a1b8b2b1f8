"""The web pages' GraphQL operations: one `.graphql` file each, valid against the schema,
each file used by a page and each name a page loads backed by its file."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, parse, validate

import web
from schema import build_schema
from web.operations import names, operation

WEB = Path(web.__file__).parent
FILES = sorted(WEB.rglob("*.graphql"))
OPERATION_TEXT = re.compile(r"\s*(query|mutation|subscription)\b")


@pytest.fixture(scope="module")
def graphql_schema() -> GraphQLSchema:
    return build_schema()._schema


def loaded_names() -> dict[str, list[str]]:
    """Every `operation("…")` call in the web client's code: name → where."""
    found: dict[str, list[str]] = {}
    for path in sorted(WEB.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "operation"):
                continue
            where = f"{path.relative_to(WEB.parent)}:{node.lineno}"
            (argument,) = node.args
            # A literal only: a name built at run time would hide from this check.
            assert isinstance(argument, ast.Constant), where
            assert isinstance(argument.value, str), where
            found.setdefault(argument.value, []).append(where)
    return found


def test_the_operations_live_in_their_own_directory() -> None:
    assert FILES
    assert {path.parent for path in FILES} == {WEB / "operations"}
    assert names() == [path.stem for path in FILES]


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_each_file_is_one_named_operation_valid_against_the_schema(
    path: Path, graphql_schema: GraphQLSchema
) -> None:
    document = parse(path.read_text(encoding="utf-8"))
    (definition,) = document.definitions  # no fragments, no second operation
    assert isinstance(definition, OperationDefinitionNode)
    assert definition.name is not None
    assert definition.name.value == path.stem
    assert [error.message for error in validate(graphql_schema, document)] == []


def test_every_name_the_pages_load_has_its_file_and_every_file_is_loaded() -> None:
    loaded = loaded_names()
    assert loaded, "no operation(...) call found: the scan is broken"
    files = set(names())
    missing = {name: where for name, where in loaded.items() if name not in files}
    assert missing == {}, "operations loaded by name with no .graphql file"
    assert sorted(files - set(loaded)) == [], "stale .graphql files no page loads"
    assert {name: where for name, where in loaded.items() if len(where) > 1} == {}


def test_no_page_module_holds_an_operation_of_its_own() -> None:
    """Every operation text a web module holds is one of the files', word for word."""
    texts = {operation(name) for name in names()}
    inline = []
    for info in pkgutil.walk_packages(web.__path__, "web."):
        module = importlib.import_module(info.name)
        for attribute, value in vars(module).items():
            if isinstance(value, str) and OPERATION_TEXT.match(value) and value not in texts:
                inline.append(f"{info.name}.{attribute}")
    assert inline == []


def test_the_loader_gives_the_file_byte_for_byte_once() -> None:
    path = WEB / "operations" / "WebStaffQueue.graphql"
    assert operation("WebStaffQueue") == path.read_bytes().decode("utf-8")
    assert operation("WebStaffQueue") is operation("WebStaffQueue")


@pytest.mark.parametrize("name", ["../pages", "WebHome.graphql", "", "webHome/x"])
def test_the_loader_takes_only_operation_names(name: str) -> None:
    with pytest.raises(ValueError, match="not an operation name"):
        operation(name)


def test_a_missing_file_fails_loudly() -> None:
    with pytest.raises(FileNotFoundError):
        operation("WebNoSuchOperation")
