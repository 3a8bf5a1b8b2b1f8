"""Finding requests wherever they live: the hub's store first, then the municipalities'
own request sources (`bindings.request_lookups`), in their declared order.

A hub number (`SDE-2026-000123`) names its municipality by its short code; any other
number is asked of the municipalities whose declared patterns match it. A request found
in a municipality's system carries public fields only: the hub holds no citizen for it,
so its personal fields are empty for everyone (and refused to anyone but its staff, as
for any request).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence

from connectors import ExternalRequest, Federation, municipalities_for
from schema.context import Info
from schema.errors import SourceFailure
from schema.requests.access import request_store
from store import requests as store

__all__ = ["Found", "find_requests", "trackable_number"]

#: The hub's own numbers: `SDE-2026-000123`.
HUB_NUMBER = re.compile(r"[A-Z]{2,4}-\d{4}-\d{6,}")
#: Anything else a municipality's system may use: letters, digits and - . / _, 3 to 40.
OTHER_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9./_-]{2,39}")

#: One asked number's answer: the request, nothing, or why a source could not say.
Found = store.ServiceRequest | SourceFailure | None


def trackable_number(federation: Federation, value: str) -> str | None:
    """`value` in capitals when it can name a request: a hub number, or one a declared
    request source's pattern matches; None otherwise (no source is asked)."""
    number = value.strip().upper()
    if HUB_NUMBER.fullmatch(number):
        return number
    if OTHER_NUMBER.fullmatch(number) and municipalities_for(federation, number):
        return number
    return None


async def find_requests(info: Info, numbers: Sequence[str]) -> dict[str, Found]:
    """Each of `numbers` (already `trackable_number`s): in the hub's store, else in the
    municipalities' request sources (one batched call per source for all of them)."""
    context = info.context
    wanted = list(dict.fromkeys(numbers))
    held = await request_store(context).by_tracking_numbers(wanted)
    found: dict[str, Found] = dict(held)
    missing = [n for n in wanted if n not in held]
    federation = context.federation
    candidates = {n: municipalities_for(federation, n) for n in missing}
    keys = [(m, n) for n in missing for m in candidates[n]]
    loader = context.loaders.external_requests
    answers = await asyncio.gather(*(loader.load(k) for k in keys), return_exceptions=True)
    by_key = dict(zip(keys, answers, strict=True))
    externals: dict[str, tuple[str, ExternalRequest]] = {}
    for number in missing:
        result: Found = None
        for municipality_id in candidates[number]:
            answer = by_key[(municipality_id, number)]
            if isinstance(answer, ExternalRequest):
                externals[number] = (municipality_id, answer)
                result = None
                break
            if isinstance(answer, SourceFailure) and result is None:
                result = answer
            elif isinstance(answer, BaseException) and not isinstance(answer, SourceFailure):
                raise answer
        found[number] = result
    names = await _service_names(info, list(externals.values()))
    for number, (municipality_id, request) in externals.items():
        found[number] = as_record(municipality_id, request, names)
    return found


async def _service_names(
    info: Info, requests: list[tuple[str, ExternalRequest]]
) -> dict[tuple[str, str], str]:
    """The catalogue's names of the services the sources name only by code."""
    keys = sorted(
        {(m, r.service_id) for m, r in requests if r.service_id and r.service_name is None}
    )
    loader = info.context.loaders.service_by_key
    records = await asyncio.gather(*(loader.load(k) for k in keys), return_exceptions=True)
    names: dict[tuple[str, str], str] = {}
    for key, record in zip(keys, records, strict=True):
        if isinstance(record, Mapping) and record.get("name"):
            names[key] = str(record["name"])
    return names


def as_record(
    municipality_id: str, request: ExternalRequest, names: dict[tuple[str, str], str]
) -> store.ServiceRequest:
    """A request of a municipality's system as the schema's types read a stored one."""
    status = store.RequestStatus(request.status)
    history = [store.StatusChange(store.RequestStatus.RECIBIDA, request.submitted_at, None)]
    if status is not store.RequestStatus.RECIBIDA:
        history.append(store.StatusChange(status, request.changed_at, request.note))
    else:
        history = [store.StatusChange(status, request.submitted_at, request.note)]
    service_id = request.service_id or ""
    name = request.service_name or names.get((municipality_id, service_id)) or service_id
    return store.ServiceRequest(
        id=f"{request.source}:{request.tracking_number}",
        tracking_number=request.tracking_number,
        municipality_id=municipality_id,
        service_id=service_id,
        service_name=name,
        status=status,
        submitted_at=request.submitted_at,
        updated_at=request.changed_at,
        expected_by=None,
        delivery=store.DeliveryState.DELIVERED,
        upstream_ref=None,
        history=tuple(history),
    )
