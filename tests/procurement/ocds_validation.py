"""Offline validation of OCDS 1.1 release packages: the schema and the closed codelists.

The vendored copies of release 1.1.5 are in `tests/data/ocds-1.1/` (see its README).
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

OCDS = Path(__file__).resolve().parent.parent / "data" / "ocds-1.1"


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((OCDS / name).read_text(encoding="utf-8"))
    return loaded


@functools.cache
def _validator() -> jsonschema.Draft4Validator:
    release = _load("release-schema.json")
    registry: Registry[Any] = Registry().with_resource(
        release["id"], Resource.from_contents(release, default_specification=DRAFT4)
    )
    return jsonschema.Draft4Validator(
        _load("release-package-schema.json"),
        registry=registry,
        format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER,
    )


@functools.cache
def codes(codelist: str) -> frozenset[str]:
    with (OCDS / "codelists" / codelist).open(encoding="utf-8", newline="") as file:
        return frozenset(row["Code"] for row in csv.DictReader(file))


def _closed_codelists(
    schema: dict[str, Any], root: dict[str, Any], path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], str]]:
    """(path of property names, codelist) for every closed-codelist field of the schema."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if len(path) > 8:
            return
        yield from _closed_codelists(root["definitions"][name], root, path)
        return
    if "codelist" in schema and not schema.get("openCodelist", True):
        yield path, schema["codelist"]
    for key, sub in schema.get("properties", {}).items():
        yield from _closed_codelists(sub, root, (*path, key))
    if isinstance(schema.get("items"), dict):
        yield from _closed_codelists(schema["items"], root, path)


def _values_at(node: Any, path: tuple[str, ...]) -> Iterator[Any]:
    if isinstance(node, list):
        for item in node:
            yield from _values_at(item, path)
        return
    if not path:
        yield node
        return
    if isinstance(node, dict) and path[0] in node:
        yield from _values_at(node[path[0]], path[1:])


def problems(package: dict[str, Any]) -> list[str]:
    """Every schema error and every closed-codelist value not in its codelist."""
    found = [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in _validator().iter_errors(package)
    ]
    release_schema = _load("release-schema.json")
    for path, codelist in _closed_codelists(release_schema, release_schema):
        for release in package.get("releases", []):
            for value in _values_at(release, path):
                if value is not None and value not in codes(codelist):
                    found.append(f"{'/'.join(path)}: {value!r} is not in {codelist}")
    return found
