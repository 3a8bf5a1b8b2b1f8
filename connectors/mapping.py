"""Declarative field mapping: how a source's fields become a capability's record.

A binding's `fields` maps each schema field to a source field, either by name
(`name: NOMBRE_SERVICIO`) or with a spec (`fee_amount: {from: TARIFA, type: money}`,
`category: {from: TIPO, map: {URB: urbanismo}, default: social}`, `channels: {value:
[presencial]}`, `category: {default: tributos}`). A spec's `default` is taken when the
source gives no value. Fields left out are read from a source field of the same name, or
take their default; a required field (`capabilities.py`) must be mapped or declared.
A value that cannot be converted raises `MappingError` naming municipality, source,
field and value: never a 500, never silently wrong data.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connectors import convert
from connectors.base import Binding, BindingConfig
from connectors.capabilities import FieldDef, FieldType, fields_of
from connectors.errors import MappingError
from connectors.hooks import get_hook
from connectors.types import Capability
from words import Message


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: str | None = Field(default=None, alias="from", description="Source field name.")
    value: Any = Field(default=None, description="A constant instead of a source field.")
    type: FieldType | None = Field(default=None, description="Override the conversion.")
    map: dict[str, Any] | None = Field(
        default=None, description="Source codes to schema values, e.g. {URB: urbanismo}."
    )
    separator: str = Field(default=";", description="Splits a text into a list.")
    day_first: bool = True
    default: Any = Field(
        default=None, description="The value when the source gives none, e.g. `social`."
    )

    @field_validator("map", mode="before")
    @classmethod
    def _codes_as_text(cls, value: Any) -> Any:
        # YAML reads codes such as 01 or 1 as numbers; the source's codes are compared as text.
        if isinstance(value, Mapping):
            return {convert.to_text(k): v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _source_or_value(self) -> FieldSpec:
        if self.source is None and self.value is None and self.default is None:
            raise ValueError(
                "`from` (a source field), `value` (a constant) or `default` in a field spec"
            )
        return self


class MappedBindingConfig(BindingConfig):
    """A binding whose records need mapping: every non-native kind extends this."""

    fields: dict[str, str | FieldSpec] = Field(
        default_factory=dict, description="Schema field → source field name or spec."
    )
    hook: str | None = Field(
        default=None, description="Name of a registered Python hook for an odd system."
    )

    def source_fields(self) -> list[str]:
        """The source fields this binding reads (for probes and SQL column lists)."""
        names = []
        for ref in self.fields.values():
            if isinstance(ref, str):
                names.append(ref)
            elif ref.source is not None:
                names.append(ref.source)
        return names


def mapping_problems(capability: Capability, config: BindingConfig) -> list[tuple[str, str]]:
    """(key, message) for each mapping onto an unknown field, a required field left
    unmapped, a value outside a field's choices, or an unknown hook: all a probe would
    otherwise be the first to find."""
    if not isinstance(config, MappedBindingConfig):
        return []
    known = fields_of(capability)
    problems = []
    for target, ref in config.fields.items():
        definition = known.get(target)
        if definition is None:
            problems.append(
                (
                    f"fields.{target}",
                    f"expected a field of '{capability.value}' "
                    f"({', '.join(known)}), found '{target}'",
                )
            )
        elif isinstance(ref, FieldSpec):
            problems.extend(_spec_problems(target, ref, definition))
    problems.extend(unmapped_required(capability, config.fields))
    if config.hook is not None:
        try:
            get_hook(config.hook)
        except LookupError as exc:
            problems.append(("hook", str(exc)))
    return problems


def unmapped_required(capability: Capability, mapped: Iterable[str]) -> list[tuple[str, str]]:
    """(key, message) for each required field of `capability` a binding leaves unmapped."""
    names = set(mapped)
    return [
        (
            f"fields.{target}",
            f"expected a mapping for the required field '{target}' (a source field, "
            "`{from: ...}`, `{value: ...}` or `{default: ...}`), found none",
        )
        for target, definition in fields_of(capability).items()
        if definition.required and target not in names
    ]


def _spec_problems(target: str, spec: FieldSpec, definition: FieldDef) -> list[tuple[str, str]]:
    """A constant, a default or a `map` result that the field could never take."""
    problems = []
    kind = spec.type or definition.type
    # With a `map`, a constant is a source code (it goes through the map); a default never.
    constant = spec.value if spec.map is None else None
    candidates: list[tuple[str, Any]] = [("value", constant), ("default", spec.default)]
    candidates += [(f"map.{code}", mapped) for code, mapped in (spec.map or {}).items()]
    for key, candidate in candidates:
        if candidate is None:
            continue
        try:
            converted = _CONVERTERS[kind](candidate, spec)
        except ValueError as exc:
            expected = str(exc).removeprefix("expected ")
            problems.append((f"fields.{target}.{key}", f"expected {expected}, found {candidate!r}"))
            continue
        values = converted if isinstance(converted, list) else [converted]
        if definition.choices is not None and any(v not in definition.choices for v in values):
            choices = ", ".join(sorted(definition.choices))
            problems.append(
                (f"fields.{target}.{key}", f"expected one of {choices}, found {candidate!r}")
            )
    return problems


_CONVERTERS: dict[FieldType, Callable[[Any, FieldSpec], Any]] = {
    "text": lambda v, s: convert.to_text(v),
    "int": lambda v, s: convert.to_int(v),
    "decimal": lambda v, s: convert.to_decimal(v),
    "money": lambda v, s: convert.to_money(v),
    "percent": lambda v, s: convert.to_percent(v),
    "fraction": lambda v, s: convert.to_fraction_percent(v),
    "date": lambda v, s: convert.to_date(v, s.day_first),
    "bool": lambda v, s: convert.to_bool(v),
    "list": lambda v, s: convert.to_list(v, s.separator),
}


class _Absent:
    """The source's record has no such field at all (as opposed to an empty value)."""


ABSENT = _Absent()


def _lookup(raw: Mapping[str, Any], path: str) -> Any:
    """A field by name, or by dotted path into nested objects (JSON, SOAP complex types)."""
    if path in raw:
        return raw[path]
    node: Any = raw
    for part in path.split("."):
        if isinstance(node, Mapping):
            if part not in node:
                return ABSENT
            node = node[part]
        elif node is None:
            return None  # a nested object that is itself empty
        elif hasattr(node, part):
            node = getattr(node, part)
        else:
            return ABSENT
    return node


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


#: The converters that need nothing from the spec, for the common case (see `_Step`).
_PLAIN_CONVERTERS: dict[FieldType, Callable[[Any], Any]] = {
    "text": convert.to_text,
    "int": convert.to_int,
    "decimal": convert.to_decimal,
    "money": convert.to_money,
    "percent": convert.to_percent,
    "fraction": convert.to_fraction_percent,
    "bool": convert.to_bool,
}


@dataclasses.dataclass(frozen=True, slots=True)
class _Step:
    """How one schema field is made, decided once per binding."""

    target: str
    spec: FieldSpec
    definition: FieldDef
    explicit: bool  # mapped in the binding (not just a same-named source field)
    #: The conversion when there is no `map` and no `choices` check; else None and
    #: `RecordMapper._convert` does the whole of it.
    plain: Callable[[Any], Any] | None
    #: The spec the binding's `default` is converted with (no `map`: it is a schema value).
    default_spec: FieldSpec | None = None


def _plain_converter(spec: FieldSpec, definition: FieldDef) -> Callable[[Any], Any] | None:
    if spec.map is not None or definition.choices is not None or definition.bounds is not None:
        return None
    kind = spec.type or definition.type
    if kind == "date":
        return functools.partial(convert.to_date, day_first=spec.day_first)
    if kind == "list":
        return functools.partial(convert.to_list, separator=spec.separator)
    return _PLAIN_CONVERTERS[kind]


def invalid_value(
    source: str, municipality: str, source_field: str, field: str, shown: str
) -> Message:
    """What a citizen is told of a value `source` sent that `field` cannot take."""
    return Message(
        "sources",
        "The source system (%(source)s) of %(municipality)s sent an invalid value in the "
        "field '%(source_field)s' (%(field)s): %(value)s.",
        {
            "source": source,
            "municipality": municipality,
            "source_field": source_field,
            "field": field,
            "value": shown,
        },
    )


class RecordMapper:
    """Maps raw source rows onto a capability's records for one binding.

    Made once per binding by the connectors that read many rows: everything that depends
    only on the binding is worked out here, so that `map` does only the per-row work.
    """

    def __init__(self, binding: Binding) -> None:
        self.binding = binding
        config = binding.config
        refs: Mapping[str, str | FieldSpec] = (
            config.fields if isinstance(config, MappedBindingConfig) else {}
        )
        self._plan: list[_Step] = []
        for target, definition in fields_of(binding.capability).items():
            ref = refs.get(target, target)
            spec = FieldSpec(source=ref) if isinstance(ref, str) else ref
            default_spec = None if spec.default is None else spec.model_copy(update={"map": None})
            self._plan.append(
                _Step(
                    target,
                    spec,
                    definition,
                    target in refs,
                    _plain_converter(spec, definition),
                    default_spec,
                )
            )
        hook_name = config.hook if isinstance(config, MappedBindingConfig) else None
        self._hook = get_hook(hook_name) if hook_name else None

    @property
    def has_hook(self) -> bool:
        """Whether a Python hook has the last word (its result may depend on more than
        the row, so a record mapped by it is never reused)."""
        return self._hook is not None

    def map(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        record: dict[str, Any] = {"municipality_id": self.binding.municipality_id}
        for step in self._plan:
            spec = step.spec
            source = spec.source
            if source is None:
                value = spec.value
            elif source in raw:
                value = raw[source]
            else:
                value = _lookup(raw, source)
                if value is ABSENT:
                    if step.explicit:
                        # A mapping names a field the source does not have: misspelt, or
                        # the vendor changed its format. Never guess.
                        available = ", ".join(sorted(map(str, raw)))[:200]
                        raise self._error(
                            step.target, spec, None, f"a field the source has ({available})"
                        )
                    value = None
            if step.default_spec is not None and _empty(value):
                # The binding's declared value: a schema value, never through `map`.
                record[step.target] = self._convert(
                    spec.default, step.target, step.default_spec, step.definition
                )
            elif value is None or (isinstance(value, str) and not value.strip()):
                definition = step.definition
                if definition.required:
                    raise self._error(step.target, spec, value, "a value (the field is required)")
                default = definition.default
                record[step.target] = list(default) if isinstance(default, tuple) else default
            elif step.plain is not None:
                try:
                    record[step.target] = step.plain(value)
                except ValueError as exc:
                    expected = str(exc).removeprefix("expected ")
                    raise self._error(step.target, spec, value, expected) from None
            else:
                record[step.target] = self._convert(value, step.target, spec, step.definition)
        if self._hook is not None:
            record = dict(self._hook(raw, record))
        return record

    def _convert(self, value: Any, target: str, spec: FieldSpec, definition: FieldDef) -> Any:
        """A present, non-empty value through its `map`, conversion, `choices` and
        `bounds` checks."""
        kind = spec.type or definition.type
        try:
            if spec.map is not None:
                value = self._translate(value, spec, kind)
            converted = _CONVERTERS[kind](value, spec)
        except ValueError as exc:
            raise self._error(target, spec, value, str(exc).removeprefix("expected ")) from None
        if definition.choices is not None:
            values = converted if isinstance(converted, list) else [converted]
            unknown = [v for v in values if v not in definition.choices]
            if unknown:
                raise self._error(target, spec, value, f"one of {sorted(definition.choices)}")
        if definition.bounds is not None:
            least, greatest = definition.bounds
            if not least <= converted <= greatest:
                raise self._error(target, spec, value, f"a value from {least} to {greatest}")
        return converted

    def _translate(self, value: Any, spec: FieldSpec, kind: FieldType) -> Any:
        assert spec.map is not None
        items = convert.to_list(value, spec.separator) if kind == "list" else [value]
        translated = []
        for item in items:
            code = convert.to_text(item)
            if code not in spec.map:
                raise ValueError(f"a code listed in `map` ({', '.join(map(str, spec.map))})")
            translated.append(spec.map[code])
        return translated if kind == "list" else translated[0]

    def _error(self, target: str, spec: FieldSpec, value: Any, expected: str) -> MappingError:
        municipality = self.binding.municipality_id
        source = self.binding.config.source
        origin = spec.source or "value"
        shown = repr(value)[:60]
        return MappingError(
            f"{municipality}/{source}: field '{target}' from '{origin}': expected {expected}, "
            f"found {shown}",
            message=invalid_value(source, municipality, origin, target, shown),
            field=target,
            source_field=origin,
            value=shown,
        )
