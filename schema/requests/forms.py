"""A service's own request fields (Open311 attributes), from `config/request-forms.yaml`.

The file gives each service category the questions a request for it asks, and may give
one service (by its federation-wide id, `<municipality>:<service>`) questions of its own
instead. It is validated at start-up: every problem is reported as `file: key: what was
expected, what was found`, and nothing starts half-configured::

    categories:
      saneamiento:
        - code: tipo_desecho              # [a-z][a-z0-9_]*, unique in its form
          label: {es: Tipo de desechos, en: Kind of waste}
          description: {es: …, en: …}     # optional
          datatype: singlevaluelist       # string, number, datetime, text,
                                          # singlevaluelist or multivaluelist
          required: true                  # default false
          order: 1                        # default: its place in the list
          choices:                        # lists only, at least one
            - {key: domestico, name: {es: Doméstico, en: Household}}
    services:
      jarabacoa:licencia-construccion:
        - …                               # replaces the category's form for this service
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors import (
    ConfigProblem,
    InvalidConfiguration,
    problems_from_validation,
    read_yaml_file,
)
from schema.language import Language
from schema.services.category import ServiceCategory

__all__ = [
    "FieldType",
    "FormChoice",
    "FormField",
    "FormWords",
    "RequestForms",
    "load_request_forms",
]

CODE_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
#: At most this many questions per form and choices per list question: they bound the
#: cost of a query (gateway/limits.py REQUEST_LIST_SIZES) and the citizen's patience.
MAX_FIELDS = 10
MAX_CHOICES = 10
SERVICE_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*:[A-Za-z0-9._-]+$"


class FieldType(enum.StrEnum):
    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLEVALUELIST = "singlevaluelist"
    MULTIVALUELIST = "multivaluelist"

    @property
    def is_list(self) -> bool:
        return self in (FieldType.SINGLEVALUELIST, FieldType.MULTIVALUELIST)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Words(_Strict):
    es: str = Field(min_length=1, max_length=300)
    en: str = Field(min_length=1, max_length=300)


class _Choice(_Strict):
    key: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")
    name: _Words


class _Field(_Strict):
    code: str = Field(pattern=CODE_PATTERN)
    label: _Words
    description: _Words | None = None
    datatype: FieldType
    required: bool = False
    order: int | None = Field(default=None, ge=0, le=1000)
    choices: list[_Choice] = Field(default_factory=list, max_length=MAX_CHOICES)


class _File(_Strict):
    categories: dict[ServiceCategory, Annotated[list[_Field], Field(max_length=MAX_FIELDS)]] = (
        Field(default_factory=dict)
    )
    services: dict[str, Annotated[list[_Field], Field(max_length=MAX_FIELDS)]] = Field(
        default_factory=dict
    )


@dataclasses.dataclass(frozen=True, slots=True)
class FormWords:
    """Words the file gives in Spanish and in English: the service's own, not the hub's
    (those are catalogue entries)."""

    es: str
    en: str

    def in_(self, language: str) -> str:
        """In a language code (`es`, `en`); Spanish for any other."""
        return self.en if language == Language.EN.value else self.es


@dataclasses.dataclass(frozen=True, slots=True)
class FormChoice:
    key: str
    name: FormWords


@dataclasses.dataclass(frozen=True, slots=True)
class FormField:
    code: str
    label: FormWords
    description: FormWords | None
    datatype: FieldType
    required: bool
    order: int
    choices: tuple[FormChoice, ...]


def _words(words: _Words) -> FormWords:
    return FormWords(words.es, words.en)


def _form(fields: Sequence[_Field]) -> tuple[FormField, ...]:
    built = [
        FormField(
            code=f.code,
            label=_words(f.label),
            description=None if f.description is None else _words(f.description),
            datatype=f.datatype,
            required=f.required,
            order=f.order if f.order is not None else index + 1,
            choices=tuple(FormChoice(c.key, _words(c.name)) for c in f.choices),
        )
        for index, f in enumerate(fields)
    ]
    return tuple(sorted(built, key=lambda f: (f.order, f.code)))


class RequestForms:
    """The questions each service's request asks, beyond the description and location."""

    def __init__(
        self,
        categories: Mapping[str, tuple[FormField, ...]] | None = None,
        services: Mapping[str, tuple[FormField, ...]] | None = None,
    ) -> None:
        self._categories = dict(categories or {})
        self._services = dict(services or {})

    @classmethod
    def empty(cls) -> RequestForms:
        return cls()

    def fields_for(
        self, municipality_id: str, service_id: str, category: str
    ) -> tuple[FormField, ...]:
        own = self._services.get(f"{municipality_id}:{service_id}")
        if own is not None:
            return own
        return self._categories.get(category, ())


def _check_form(fields: Sequence[_Field], shown: str, key: str) -> list[ConfigProblem]:
    problems = []
    seen: set[str] = set()
    for index, field in enumerate(fields):
        where = f"{key}[{index}]"
        if field.code in seen:
            problems.append(
                ConfigProblem(
                    shown,
                    f"{where}.code",
                    f"expected a code unique in its form, found {field.code!r} again",
                )
            )
        seen.add(field.code)
        if field.datatype.is_list and not field.choices:
            problems.append(
                ConfigProblem(
                    shown,
                    f"{where}.choices",
                    f"expected at least one choice for a {field.datatype.value}, found none",
                )
            )
        if not field.datatype.is_list and field.choices:
            problems.append(
                ConfigProblem(
                    shown,
                    f"{where}.choices",
                    f"expected no choices for a {field.datatype.value} field, "
                    f"found {len(field.choices)}",
                )
            )
        keys = [c.key for c in field.choices]
        if len(set(keys)) != len(keys):
            problems.append(
                ConfigProblem(
                    shown, f"{where}.choices", "expected unique choice keys, found a key twice"
                )
            )
    return problems


def load_request_forms(path: Path, display: str | None = None) -> RequestForms:
    """Read and check the file; raises `InvalidConfiguration` naming every problem. A
    missing file means no service asks anything of its own."""
    shown = display or str(path)
    if not path.exists():
        return RequestForms.empty()
    raw, unreadable = read_yaml_file(path, shown)
    if unreadable:
        raise InvalidConfiguration(unreadable)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InvalidConfiguration(
            [ConfigProblem(shown, "(file)", f"expected a mapping, found {type(raw).__name__}")]
        )
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        raise InvalidConfiguration(problems_from_validation(exc, shown, (), _File)) from None
    problems: list[ConfigProblem] = []
    for category, fields in parsed.categories.items():
        problems.extend(_check_form(fields, shown, f"categories.{category.value}"))
    for service_id, fields in parsed.services.items():
        if not re.fullmatch(SERVICE_ID_PATTERN, service_id):
            problems.append(
                ConfigProblem(
                    shown,
                    f"services.{service_id}",
                    "expected a service id '<municipality>:<service>', e.g. "
                    f"'jarabacoa:licencia-construccion', found {service_id!r}",
                )
            )
        problems.extend(_check_form(fields, shown, f"services.{service_id}"))
    if problems:
        raise InvalidConfiguration(problems)
    return RequestForms(
        {category.value: _form(fields) for category, fields in parsed.categories.items()},
        {service_id: _form(fields) for service_id, fields in parsed.services.items()},
    )
