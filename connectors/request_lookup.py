"""What every `request_lookups` entry shares, whatever the kind: which numbers it serves,
how its reply's fields, status codes and dates read.

A municipality may declare, besides its writable `requests` binding, any number of
read-only request sources, asked in the declared order for the numbers their pattern
matches::

    bindings:
      request_lookups:
        - source: archivo                       # a declared source (sql or soap)
          tracking_pattern: '^SOL-\\d{4}-\\d{4}$' # or tracking_prefix: SOL-
          query: >-                             # sql: a SELECT with IN :tracking_numbers
            SELECT * FROM v_solicitudes WHERE numero IN :tracking_numbers
          max_batch: 50                         # numbers per call (default: all at once)
          fields: {tracking_number: numero, status: estado, note: obs,
                   submitted_at: fecha, changed_at: fecha_estado, service_id: tramite}
          dates: {submitted_at: '%Y%m%d', changed_at: '%Y%m%d'}
          map: {R: RECIBIDA, P: EN_PROCESO, T: RESUELTA, X: RECHAZADA}
          probe_numbers: [SOL-2023-0097]        # looked up by `check-config --probe`

A date without a declared format is read as ISO 8601 (an `xsd:dateTime`, with or without
an offset); one without an offset is in the lookup's `timezone`. Tracking numbers are
compared in capitals, spaces around them ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator, model_validator

from connectors.base import Binding
from connectors.errors import UpstreamError
from connectors.reads import ExternalRequest
from connectors.request_binding import (
    RequestsBindingConfig,
    StrictModel,
    binding_name,
    mapping_error,
)
from store.requests import RequestStatus

__all__ = ["LookupFields", "RequestLookupConfig", "read_external"]

_STATUSES = ", ".join(s.value for s in RequestStatus)
_DATE_FIELDS = ("submitted_at", "changed_at")


class LookupFields(StrictModel):
    """The reply's field (or column) for each public field of a request."""

    tracking_number: str = Field(min_length=1)
    status: str = Field(min_length=1)
    note: str | None = Field(default=None, min_length=1)
    submitted_at: str | None = Field(default=None, min_length=1)
    changed_at: str | None = Field(default=None, min_length=1)
    service_id: str | None = Field(default=None, min_length=1)
    service_name: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _a_date(self) -> LookupFields:
        if self.submitted_at is None and self.changed_at is None:
            raise ValueError("`submitted_at` or `changed_at` (or both): a request has a date")
        return self


class RequestLookupConfig(RequestsBindingConfig):
    """One read-only request source; kinds add how it is asked (a query, an operation)."""

    tracking_pattern: str | None = Field(
        default=None,
        min_length=1,
        description="A regular expression the whole tracking number must match "
        "(e.g. '^SOL-\\d{4}-\\d{4}$').",
    )
    tracking_prefix: str | None = Field(
        default=None, min_length=1, description="Or: the numbers start with this, e.g. SOL-."
    )
    max_batch: int | None = Field(
        default=None, ge=1, le=1000, description="Numbers per call (default: all at once)."
    )
    fields: LookupFields
    dates: dict[str, str] = Field(
        default_factory=dict,
        description="strptime format of a date field, e.g. {submitted_at: '%d/%m/%Y'}; "
        "without one a date is read as ISO 8601 (xsd:dateTime).",
    )
    map: dict[str, RequestStatus] = Field(
        min_length=1,
        description=f"The upstream's status codes onto the hub's states ({_STATUSES}).",
    )
    probe_numbers: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="Numbers the source holds that `check-config --probe` looks up, to show "
        "how their statuses and dates map (read only).",
    )

    @field_validator("map", mode="before")
    @classmethod
    def _codes_as_text(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(k): v for k, v in value.items()}
        return value

    @field_validator("tracking_pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"a regular expression ({exc})") from None
        return value

    @field_validator("dates")
    @classmethod
    def _formats(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(_DATE_FIELDS))
        if unknown:
            raise ValueError(
                f"formats for {', '.join(_DATE_FIELDS)} only; found {', '.join(unknown)}"
            )
        for name, pattern in value.items():
            if "%" not in pattern:
                raise ValueError(f"a strptime format for {name} such as '%d/%m/%Y'")
        return value

    @model_validator(mode="after")
    def _one_pattern(self) -> RequestLookupConfig:
        if (self.tracking_pattern is None) == (self.tracking_prefix is None):
            raise ValueError(
                "`tracking_pattern` (a regular expression) or `tracking_prefix`, one of them"
            )
        return self

    def serves(self, number: str) -> bool:
        """Whether this lookup is asked about `number` (already in capitals)."""
        if self.tracking_prefix is not None:
            return number.startswith(self.tracking_prefix.strip().upper())
        assert self.tracking_pattern is not None
        return re.fullmatch(self.tracking_pattern, number, flags=re.IGNORECASE) is not None


def normal_number(value: Any) -> str:
    return "" if value is None else str(value).strip().upper()


def read_external(
    binding: Binding, config: RequestLookupConfig, row: Mapping[str, Any]
) -> ExternalRequest:
    """One record of the lookup's reply, mapped onto the public fields of a request."""
    fields = config.fields
    for field in (fields.tracking_number, fields.status):
        if field not in row:
            raise UpstreamError(
                f"{binding_name(binding)}: request_lookups: the reply has no field '{field}' "
                f"(it has: {', '.join(map(str, row))})"
            )
    number = normal_number(row[fields.tracking_number])
    code = row[fields.status]
    status = config.map.get("" if code is None else str(code).strip())
    if status is None:
        raise mapping_error(
            binding,
            "status",
            fields.status,
            code,
            f"no mapping for the code {str(code)[:40]!r} of request {number} "
            f"(the lookup's `map` knows: {', '.join(config.map)})",
        )
    submitted = _date(binding, config, "submitted_at", fields.submitted_at, row)
    changed = _date(binding, config, "changed_at", fields.changed_at, row)
    first = submitted or changed
    if first is None:
        raise mapping_error(
            binding,
            "submitted_at",
            fields.submitted_at or str(fields.changed_at),
            None,
            f"request {number} has no date",
        )
    return ExternalRequest(
        tracking_number=number,
        source=config.source,
        status=status.value,
        submitted_at=first,
        changed_at=changed or first,
        note=_text(row, fields.note),
        service_id=_text(row, fields.service_id),
        service_name=_text(row, fields.service_name),
        raw={
            field: row.get(field)
            for field in (fields.status, fields.submitted_at, fields.changed_at)
            if field is not None
        },
    )


def _text(row: Mapping[str, Any], field: str | None) -> str | None:
    if field is None:
        return None
    value = row.get(field)
    return None if value is None else (str(value).strip() or None)


def _date(
    binding: Binding,
    config: RequestLookupConfig,
    name: str,
    field: str | None,
    row: Mapping[str, Any],
) -> dt.datetime | None:
    if field is None:
        return None
    raw = row.get(field)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    pattern = config.dates.get(name)
    try:
        if isinstance(raw, dt.datetime):
            value = raw
        elif isinstance(raw, dt.date):
            value = dt.datetime(raw.year, raw.month, raw.day)
        elif pattern is not None:
            value = dt.datetime.strptime(str(raw).strip(), pattern)
        else:
            value = dt.datetime.fromisoformat(str(raw).strip())
    except (ValueError, TypeError):
        expected = f"a date as {pattern}" if pattern else "an ISO 8601 date and time"
        raise mapping_error(
            binding, name, field, raw, f"expected {expected}, found {str(raw)[:40]!r}"
        ) from None
    local = value.replace(tzinfo=config.zone) if value.tzinfo is None else value
    return local.astimezone(dt.UTC)
