"""A validator's errors in an integrator's words: the YAML key and what was expected.

pydantic names where an error is by its own schema: a union adds one step per member tried
(`fields.requirements.function-after[_source_or_value(), FieldSpec].split`) and reports
each member's error. This module walks each error's location along the model's
annotations, keeps only the steps that are YAML keys, keeps the error of the member the
value was meant for (a mapping for a spec, not "expected a text"), and says what was
expected in plain words. It knows nothing of any one model: every binding, source and
file model goes through it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from connectors.secrets import describe_found

#: Errors that only say the value has another shape than this member of a union.
_SHAPE_ERRORS = frozenset(
    {
        "string_type",
        "int_type",
        "int_parsing",
        "float_type",
        "float_parsing",
        "bool_type",
        "bool_parsing",
        "dict_type",
        "model_type",
        "model_attributes_type",
        "list_type",
        "tuple_type",
        "set_type",
        "literal_error",
        "enum",
        "none_required",
        "is_instance_of",
        "decimal_type",
        "decimal_parsing",
        "date_type",
        "date_parsing",
        "datetime_type",
        "datetime_parsing",
    }
)

#: What a value of each shape is called, for "expected a text or a mapping".
_SHAPES: Mapping[str, str] = {
    "string_type": "a text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "decimal_type": "a number",
    "decimal_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping (key: value)",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "datetime_type": "a date and time",
    "datetime_parsing": "a date and time",
    "none_required": "nothing",
    "url_parsing": "a URL",
    "url_scheme": "a URL",
}


@dataclasses.dataclass(frozen=True, slots=True)
class _Located:
    """One error, placed: its YAML key path and the unions it went through."""

    key: tuple[str | int, ...]
    #: (length of `key` at the union, the member tried) for each union on the way.
    unions: tuple[tuple[int, str], ...]
    #: The model that holds the last key, if known (to list its keys).
    owner: type[BaseModel] | None
    error: Mapping[str, Any]

    @property
    def shape_only(self) -> bool:
        """A member of the innermost union that the value never had the shape of."""
        return bool(self.unions) and (
            self.unions[-1][0] == len(self.key) and self.error["type"] in _SHAPE_ERRORS
        )


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _members(annotation: Any) -> list[Any] | None:
    """The members of a union pydantic tags (None left out), or None if not a union."""
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return None
    members = [_unwrap(m) for m in typing.get_args(annotation) if m is not type(None)]
    return members if len(members) > 1 else None


def _single(annotation: Any) -> Any:
    """`X | None` is `X` for locating (pydantic adds no step for it)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(annotation) if m is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return annotation


def _member_for(tag: str, members: Sequence[Any]) -> Any:
    """The member a union's tag (`str`, `function-after[..., FieldSpec]`) names."""
    for member in members:
        if isinstance(member, type) and issubclass(member, BaseModel) and member.__name__ in tag:
            return member
    for member in members:
        origin = typing.get_origin(member) or member
        name = getattr(origin, "__name__", str(origin)).lower()
        if tag.split("[", 1)[0] == name:
            return member
    return Any


def _model_field(model: type[BaseModel], name: str) -> Any:
    for field_name, info in model.model_fields.items():
        if name in (field_name, info.alias):
            return info.annotation
    return None


def _locate(model: type[BaseModel], error: Mapping[str, Any]) -> _Located:
    key: list[str | int] = []
    unions: list[tuple[int, str]] = []
    owner: type[BaseModel] | None = model
    annotation: Any = model
    for item in error["loc"]:
        annotation = _single(_unwrap(annotation))
        members = _members(annotation)
        if members is not None and isinstance(item, str):
            unions.append((len(key), item))
            annotation = _member_for(item, members)
            continue
        if annotation is Any and isinstance(item, str) and ("[" in item or "(" in item):
            unions.append((len(key), item))  # a union tag of an annotation unknown here
            continue
        if item == "[key]":
            continue  # the mapping's key itself is wrong: the key path already names it
        key.append(item)
        owner = None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            owner = annotation
            annotation = _model_field(annotation, str(item)) or Any
        elif typing.get_origin(annotation) in (dict, Mapping):
            args = typing.get_args(annotation)
            annotation = args[1] if len(args) == 2 else Any
        elif typing.get_origin(annotation) in (list, tuple, set, frozenset, Sequence):
            args = typing.get_args(annotation)
            annotation = args[0] if args else Any
        else:
            annotation = Any
    return _Located(tuple(key), tuple(unions), owner, error)


def _keys_of(model: type[BaseModel]) -> str:
    return ", ".join(info.alias or name for name, info in model.model_fields.items())


def _expected(error: Mapping[str, Any]) -> str:
    kind = str(error["type"])
    context: Mapping[str, Any] = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        reason = context.get("error")
        text = str(reason) if reason is not None else str(error["msg"])
        return text.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in ("literal_error", "enum"):
        return f"one of {context.get('expected', '')}"
    if kind == "model_type":
        return "a mapping (key: value)"
    if kind == "string_too_short":
        return f"a text of at least {context.get('min_length')} character(s)"
    if kind == "string_too_long":
        return f"a text of at most {context.get('max_length')} character(s)"
    if kind == "too_short":
        return f"at least {context.get('min_length')} item(s)"
    if kind == "too_long":
        return f"at most {context.get('max_length')} item(s)"
    if kind == "string_pattern_mismatch":
        return f"a text matching {context.get('pattern')}"
    bounds = {
        "greater_than": "a number greater than {gt}",
        "greater_than_equal": "a number of at least {ge}",
        "less_than": "a number less than {lt}",
        "less_than_equal": "a number of at most {le}",
        "multiple_of": "a multiple of {multiple_of}",
    }
    if kind in bounds:
        return bounds[kind].format(**context)
    if kind in _SHAPES:
        return _SHAPES[kind]
    return str(error["msg"]).removeprefix("Input should be ")


def _found(key: tuple[str | int, ...], value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    return describe_found(str(key[-1]) if key else "", value)


def _message(located: _Located) -> str:
    error = located.error
    kind = error["type"]
    if kind == "missing":
        return "expected a value, found nothing (the key is missing)"
    if kind == "extra_forbidden":
        known = _keys_of(located.owner) if located.owner is not None else "the documented keys"
        return f"expected one of the keys {known}, found '{located.key[-1]}' (misspelt?)"
    expected = _expected(error)
    if "found " in expected:
        return f"expected {expected}"  # the validator said what it found
    return f"expected {expected}, found {_found(located.key, error.get('input'))}"


def _format_key(key: Sequence[str | int]) -> str:
    parts: list[str] = []
    for item in key:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(file)"


def explain(
    exc: ValidationError, model: type[BaseModel], prefix: Sequence[str | int] = ()
) -> list[tuple[str, str]]:
    """`(key, message)` for each problem: `key` a dotted YAML path under `prefix`, the
    message `expected …, found …` in plain words; one problem per key and union."""
    located = [_locate(model, error) for error in exc.errors(include_url=False)]
    # A union member the value was not even shaped for is noise when another member of
    # the same union says what is wrong inside the value.
    meant = {
        item.key[: item.unions[-1][0]] for item in located if item.unions and not item.shape_only
    }
    shapes: dict[tuple[str | int, ...], list[_Located]] = {}
    order: list[_Located | tuple[str | int, ...]] = []
    for item in located:
        if not item.shape_only:
            order.append(item)
        elif item.key not in meant:
            if item.key not in shapes:
                order.append(item.key)
            shapes.setdefault(item.key, []).append(item)
    problems: list[tuple[str, str]] = []
    for entry in order:
        if isinstance(entry, _Located):
            problems.append((_format_key((*prefix, *entry.key)), _message(entry)))
            continue
        tried = shapes[entry]
        if len(tried) == 1:
            problems.append((_format_key((*prefix, *entry)), _message(tried[0])))
            continue
        names = list(dict.fromkeys(_expected(item.error) for item in tried))
        expected = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
        found = _found(entry, tried[0].error.get("input"))
        problems.append((_format_key((*prefix, *entry)), f"expected {expected}, found {found}"))
    return list(dict.fromkeys(problems))
