"""What every `requests` binding shares, whatever the kind of system of record.

A `requests` binding maps outwards: each of the upstream's inputs (a SOAP operation's
argument, an INSERT's named parameter) takes a field of the request the hub sends
(`connectors.writes.OutgoingRequest`)::

    NUMERO_SEGUIMIENTO: tracking_number          # by name
    DATOS_ADICIONALES: answers                    # every answer, as JSON text
    SUPERFICIE: {from: answers.superficie_m2, type: number, required: true}
    CANAL: {value: WEB}                           # a constant

and reads statuses back through a status-code map onto the hub's states (`RECIBIDA`,
`EN_REVISION`, `EN_PROCESO`, `RESUELTA`, `RECHAZADA`)::

    map: {RG: RECIBIDA, EV: EN_REVISION, ET: EN_PROCESO, CO: RESUELTA, RZ: RECHAZADA}

The tracking number must reach the upstream: it is the idempotency key that makes a
retried delivery land once. A value the hub cannot send as configured, or a status code the
map does not know, raises `MappingError` naming municipality, source, field and value.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connectors.base import Binding, BindingConfig
from connectors.errors import ConnectorConfigError, MappingError, UpstreamError
from connectors.types import Capability
from connectors.writes import OutgoingRequest, UpstreamStatus
from store.requests import RequestStatus
from words import Message

__all__ = [
    "OUTGOING_FIELDS",
    "OutgoingField",
    "RequestsBindingConfig",
    "StatusReading",
    "StrictModel",
    "outgoing_values",
    "read_reference",
    "read_status",
]

#: The fields of `OutgoingRequest` a binding may send, with their natural type.
OUTGOING_FIELDS: Mapping[str, str] = {
    "tracking_number": "text",
    "municipality_id": "text",
    "service_id": "text",
    "submitted_at": "datetime",
    "description": "text",
    "address": "text",
    "latitude": "number",
    "longitude": "number",
    "citizen_name": "text",
    "citizen_cedula": "text",
    "citizen_phone": "text",
    "citizen_email": "text",
    "answers": "json",
}

OutgoingType = Literal["text", "number", "int", "datetime", "date", "json"]

_STATUSES = ", ".join(s.value for s in RequestStatus)


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_reference(reference: str) -> str:
    if reference.startswith("answers."):
        if not reference.removeprefix("answers."):
            raise ValueError("`answers.<code>`: the code of one of the service's fields")
        return reference
    if reference not in OUTGOING_FIELDS:
        raise ValueError(
            f"a field of the request ({', '.join(OUTGOING_FIELDS)}, or answers.<code>); "
            f"found '{reference}'"
        )
    return reference


class OutgoingField(StrictModel):
    """One upstream input: which request field it takes (or a constant), and as what."""

    source: str | None = Field(
        default=None,
        alias="from",
        description="A field of the request (tracking_number, service_id, description, "
        "address, latitude, longitude, submitted_at, citizen_name, citizen_cedula, "
        "citizen_phone, citizen_email, answers), or answers.<code> for one answer.",
    )
    value: str | int | float | bool | None = Field(
        default=None, description="A constant instead of a request field."
    )
    type: OutgoingType | None = Field(
        default=None,
        description="Send it as: text, number, int, datetime, date or json (default: the "
        "field's own type; json for `answers`).",
    )
    required: bool = Field(
        default=False,
        description="Refuse to send a request without this value (a MappingError) rather "
        "than send it empty.",
    )

    @field_validator("source")
    @classmethod
    def _known_field(cls, value: str | None) -> str | None:
        return None if value is None else _check_reference(value)

    @model_validator(mode="after")
    def _source_or_value(self) -> OutgoingField:
        if (self.source is None) == (self.value is None):
            raise ValueError("`from` (a field of the request) or `value` (a constant), not both")
        return self


def _as_field(value: Any) -> Any:
    """`tracking_number` is short for `{from: tracking_number}`."""
    return {"from": value} if isinstance(value, str) else value


class StatusReading(StrictModel):
    """How the upstream's answer about statuses reads: its field names and codes.

    The upstream is asked by the hub's tracking number (`by: tracking_number`, the
    default; the reply names it in `tracking_field`) or by its own reference for each
    request, as its submit operation returned it (`by: reference`; the reply names it in
    `reference_field`). `max_batch` is the most keys one call may carry."""

    by: Literal["tracking_number", "reference"] = Field(
        default="tracking_number",
        description="What the status operation is asked about: the hub's tracking numbers "
        "or the upstream's own references (what `submit.reference` returned).",
    )
    tracking_field: str | None = Field(
        default=None,
        min_length=1,
        description="The reply's field (or column) with the tracking number "
        "(required with `by: tracking_number`).",
    )
    reference_field: str | None = Field(
        default=None,
        min_length=1,
        description="The reply's field (or column) with the upstream's reference "
        "(required with `by: reference`).",
    )
    max_batch: int | None = Field(
        default=None,
        ge=1,
        description="The most tracking numbers or references one call may carry; more "
        "are split into several calls (default: no limit of its own).",
    )
    status_field: str = Field(
        min_length=1, description="The reply's field (or column) with the status code."
    )
    note_field: str | None = Field(
        default=None,
        min_length=1,
        description="The field with the municipality's public note on the change, if any.",
    )
    changed_at_field: str | None = Field(
        default=None, min_length=1, description="The field with when the status changed."
    )
    map: dict[str, RequestStatus] = Field(
        min_length=1,
        description=f"The upstream's status codes onto the hub's states ({_STATUSES}).",
    )

    @field_validator("map", mode="before")
    @classmethod
    def _codes_as_text(cls, value: Any) -> Any:
        # YAML reads codes such as 01 or 1 as numbers.
        if isinstance(value, Mapping):
            return {str(k): v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _key_field_given(self) -> StatusReading:
        if self.by == "reference" and self.reference_field is None:
            raise ValueError(
                "`reference_field` (the reply's field with the upstream's reference) with "
                "`by: reference`"
            )
        if self.by == "tracking_number" and self.tracking_field is None:
            raise ValueError(
                "`tracking_field` (the reply's field with the tracking number), or "
                "`by: reference` with `reference_field`"
            )
        return self

    @property
    def key_field(self) -> str:
        """The reply's field that names each request (the tracking number or reference)."""
        field = self.reference_field if self.by == "reference" else self.tracking_field
        assert field is not None  # checked when the file was loaded
        return field

    def keys(
        self, tracking_numbers: Sequence[str], references: Mapping[str, str] | None
    ) -> dict[str, str]:
        """What the status operation is asked about → the hub's tracking number, in the
        order given, without repeats (a number without a reference is left out when the
        operation is keyed by reference)."""
        keys: dict[str, str] = {}
        for number in tracking_numbers:
            key = number if self.by == "tracking_number" else (references or {}).get(number)
            if key and key not in keys:
                keys[key] = number
        return keys


class RequestsBindingConfig(BindingConfig):
    """The part of a `requests` binding common to every kind."""

    timezone: str = Field(
        default="America/Santo_Domingo",
        description="The upstream's local time zone: timestamps without an offset are read "
        "in it, and dates and times are sent in it.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError("an IANA time zone such as America/Santo_Domingo") from None
        return value

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


def parse_fields(value: Any) -> Any:
    """Before-validator for a `{input: field-or-spec}` mapping."""
    if isinstance(value, Mapping):
        return {str(k): _as_field(v) for k, v in value.items()}
    return value


def require_tracking_number(fields: Mapping[str, OutgoingField], key: str) -> None:
    if not any(f.source == "tracking_number" for f in fields.values()):
        raise ValueError(
            f"`{key}` must send `tracking_number` to the upstream: it is the idempotency key "
            "that makes a retried delivery arrive once"
        )


# ------------------------------------------------------------------------------ runtime


def binding_name(binding: Binding) -> str:
    """`municipality/source`: how errors name the binding (never a citizen's value)."""
    return f"{binding.municipality_id}/{binding.config.source}"


ConfigT = TypeVar("ConfigT", bound=RequestsBindingConfig)


def requests_config(binding: Binding, model: type[ConfigT], kind: str) -> ConfigT:
    """The binding's `requests` configuration of this connector kind, or a config error
    (a binding of another capability or kind handed to the writer is a wiring bug)."""
    config = binding.config
    if binding.capability is not Capability.REQUESTS or not isinstance(config, model):
        raise ConnectorConfigError(
            f"{kind}: binding {binding.municipality_id}/{binding.capability.value} is a "
            f"{type(config).__name__}, expected a `requests` {model.__name__}"
        )
    return config


def _mapping_error(
    binding: Binding, field: str, source_field: str, value: Any, problem: str
) -> MappingError:
    """`value` is shown only for codes the upstream sent, never for a citizen's data."""
    shown = repr(value)[:60] if value is not None else "nothing"
    municipality, source = binding.municipality_id, binding.config.source
    return MappingError(
        f"{municipality}/{source}: requests: field '{field}' ({source_field}): {problem}",
        message=Message(
            "sources",
            "The source system (%(source)s) of %(municipality)s could not process the value "
            "'%(source_field)s' (%(field)s).",
            {
                "source": source,
                "municipality": municipality,
                "source_field": source_field,
                "field": field,
            },
        ),
        field=field,
        source_field=source_field,
        value=shown,
    )


#: For the other readers of a requests source (`connectors.request_lookup`).
mapping_error = _mapping_error


def _raw(request: OutgoingRequest, reference: str) -> Any:
    if reference.startswith("answers."):
        return request.answers.get(reference.removeprefix("answers."))
    return getattr(request, reference)


def _convert(value: Any, kind: str, zone: zoneinfo.ZoneInfo) -> Any:
    if value is None:
        return None
    if kind == "json":
        if isinstance(value, Mapping):
            return json.dumps(dict(value), ensure_ascii=False, sort_keys=True) if value else None
        return json.dumps(value, ensure_ascii=False)
    if kind == "text":
        if isinstance(value, Mapping):
            return "; ".join(f"{k}: {v}" for k, v in sorted(value.items())) or None
        if isinstance(value, dt.datetime):
            return _local(value, zone).isoformat()
        return str(value)
    if kind == "number":
        return float(Decimal(str(value).strip().replace(",", ".")))
    if kind == "int":
        number = Decimal(str(value).strip())
        if number != number.to_integral_value():
            raise ValueError("not a whole number")
        return int(number)
    if kind == "datetime":
        return _local(_to_datetime(value), zone)
    if kind == "date":
        return _local(_to_datetime(value), zone).date()
    raise ValueError(f"unknown type {kind}")


def _to_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value).strip())


def _local(value: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value.astimezone(zone)


def outgoing_values(
    binding: Binding,
    config: RequestsBindingConfig,
    fields: Mapping[str, OutgoingField],
    request: OutgoingRequest,
) -> dict[str, Any]:
    """Each upstream input's value for this request, converted as the binding says.

    Datetimes are aware, in the binding's time zone; a writer that needs them naive drops
    the offset. A missing required value or one that cannot be converted raises
    `MappingError` naming the input and the request field, never the citizen's value.
    """
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        if spec.source is None:
            values[name] = spec.value
            continue
        raw = _raw(request, spec.source)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec.required:
                raise _mapping_error(
                    binding,
                    spec.source,
                    name,
                    None,
                    "required by the binding, the request has none",
                )
            values[name] = None
            continue
        kind = spec.type or OUTGOING_FIELDS.get(spec.source, "text")
        try:
            values[name] = _convert(raw, kind, config.zone)
        except (ValueError, TypeError, InvalidOperation, ArithmeticError):
            raise _mapping_error(
                binding, spec.source, name, None, f"the request's value is not a valid {kind}"
            ) from None
    return values


def read_reference(binding: Binding, row: Mapping[str, Any] | None, field: str) -> str | None:
    """The upstream's own id for a request in a reply (None when the reply holds none)."""
    if row is None:
        return None
    if field not in row:
        raise UpstreamError(
            f"{binding_name(binding)}: requests: the reply has no field '{field}' for the "
            f"upstream's reference (it has: {', '.join(map(str, row))})"
        )
    value = row[field]
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return str(value).strip()


def read_status(
    binding: Binding,
    config: RequestsBindingConfig,
    reading: StatusReading,
    row: Mapping[str, Any],
    keys: Mapping[str, str] | None = None,
) -> UpstreamStatus:
    """One status row of the upstream's reply, mapped onto the hub's states. `keys` (from
    `StatusReading.keys`) names the hub's tracking number of each key asked about; a row
    with another key gets an empty tracking number (the caller leaves it out)."""
    for field in (reading.key_field, reading.status_field):
        if field not in row:
            raise UpstreamError(
                f"{binding_name(binding)}: requests: the status reply has no field '{field}' "
                f"(it has: {', '.join(map(str, row))})"
            )
    asked = str(row[reading.key_field] or "").strip()
    number = asked if keys is None else keys.get(asked, "")
    code = row[reading.status_field]
    key = "" if code is None else str(code).strip()
    status = reading.map.get(key)
    if status is None:
        known = ", ".join(reading.map)
        raise _mapping_error(
            binding,
            "status",
            reading.status_field,
            code,
            f"no mapping for the code {str(code)[:40]!r} of request {number} "
            f"(the binding's `map` knows: {known})",
        )
    note = None
    if reading.note_field is not None:
        raw_note = row.get(reading.note_field)
        note = str(raw_note).strip() or None if raw_note is not None else None
    changed_at = None
    if reading.changed_at_field is not None:
        raw_time = row.get(reading.changed_at_field)
        if raw_time is not None and str(raw_time).strip():
            try:
                changed_at = _local(_to_datetime(raw_time), config.zone).astimezone(dt.UTC)
            except (ValueError, TypeError):
                raise _mapping_error(
                    binding,
                    "changed_at",
                    reading.changed_at_field,
                    raw_time,
                    f"expected a date and time, found {str(raw_time)[:40]!r}",
                ) from None
    return UpstreamStatus(number, status.value, note, changed_at)
