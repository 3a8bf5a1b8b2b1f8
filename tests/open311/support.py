"""Checking Open311 answers: JSON against the GeoReport v2 JSON Schemas (schemas/), XML
parsed with lxml."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from jsonschema import Draft7Validator, FormatChecker
from lxml import etree
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).resolve().parent / "schemas"
OPEN311 = "/open311/v2"
#: Fields of a request that hold personal data in this hub.
PERSONAL_KEYS = ("description", "address", "address_id", "lat", "long", "email", "phone")

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    """RFC 3339: a date, a time and an offset (jsonschema checks none without extras)."""
    if not isinstance(value, str):
        return True
    if "T" not in value:
        raise ValueError("no time")
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("no offset")
    return True


@FORMATS.checks("uri", raises=ValueError)
def _uri(value: object) -> bool:
    if isinstance(value, str) and not httpx.URL(value).is_absolute_url:
        raise ValueError("not an absolute URI")
    return True


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMAS.rglob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        name = path.relative_to(SCHEMAS).as_posix()
        resources.append((name, Resource.from_contents(contents, default_specification=DRAFT7)))
    return Registry().with_resources(resources)


def validate(instance: Any, schema_name: str) -> None:
    """Raise `ValidationError` unless `instance` matches `schemas/<schema_name>`."""
    schema = json.loads((SCHEMAS / schema_name).read_text(encoding="utf-8"))
    validator = Draft7Validator(schema, registry=_registry(), format_checker=FORMATS)
    errors = sorted(validator.iter_errors(instance), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def json_of(response: httpx.Response, schema_name: str, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    validate(body, schema_name)
    return body


def xml_of(response: httpx.Response, root: str, status: int = 200) -> etree._Element:
    """The parsed document (lxml refuses anything not well-formed), its root checked."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/xml")
    document = etree.fromstring(response.content)
    assert document.tag == root, etree.tostring(document)[:300]
    return document


def errors_json(response: httpx.Response, status: int) -> list[str]:
    body = json_of(response, "local/errors.json", status)
    assert {e["code"] for e in body} == {status}
    return [str(e["description"]) for e in body]


def errors_xml(response: httpx.Response, status: int) -> list[str]:
    document = xml_of(response, "errors", status)
    errors = document.findall("error")
    assert errors and len(errors) == len(document)
    assert {e.findtext("code") for e in errors} == {str(status)}
    descriptions = [e.findtext("description") or "" for e in errors]
    assert all(descriptions)
    return descriptions


def children(element: etree._Element) -> dict[str, str]:
    return {str(child.tag): child.text or "" for child in element}
