"""A DGCP release as the hub's flat procurement record (`connectors/capabilities.py`).

The first award and the first contract are kept (a municipality's processes have one).
A release the hub cannot read is kept as a record with a `problem` (an id of the
`sources` catalogue): the schema leaves it out and reports it, never a crash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.capabilities import fields_of
from connectors.types import Capability
from words import N_

PREFIX = "ocds-6550wx-"
SUPPLIER_PREFIX = "DO-RPE-"

NO_PREFIX = N_("an ocid without the Dominican prefix ocds-6550wx")
NOT_READABLE = N_("a release with a missing or unreadable field")
UNKNOWN_CODE = N_("a code that is not in its OCDS codelist")

_FIELDS = fields_of(Capability.PROCUREMENT)


class _Unreadable(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def buyer_of(release: Mapping[str, Any]) -> str | None:
    buyer = release.get("buyer")
    if isinstance(buyer, Mapping) and buyer.get("id"):
        return str(buyer["id"])
    for party in release.get("parties") or ():
        if isinstance(party, Mapping) and "buyer" in (party.get("roles") or ()):
            return str(party.get("id"))
    return None


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
    except ValueError:
        raise _Unreadable(NOT_READABLE) from None


def _money(value: Any) -> tuple[Decimal | None, str | None]:
    if not isinstance(value, Mapping) or value.get("amount") is None:
        return None, None
    try:
        amount = Decimal(str(value["amount"]))
    except InvalidOperation:
        raise _Unreadable(NOT_READABLE) from None
    currency = value.get("currency")
    return amount, None if currency is None else str(currency)


def _code(field: str, value: Any) -> str | None:
    if value is None:
        return None
    choices = _FIELDS[field].choices
    if choices is not None and value not in choices:
        raise _Unreadable(UNKNOWN_CODE)
    return str(value)


def _first(items: Any) -> Mapping[str, Any]:
    if isinstance(items, list) and items and isinstance(items[0], Mapping):
        return items[0]
    return {}


def _flatten(release: Mapping[str, Any], process_id: str) -> dict[str, Any]:
    tender = release.get("tender")
    if not isinstance(tender, Mapping) or not tender.get("title"):
        raise _Unreadable(NOT_READABLE)
    date = _date(release.get("date"))
    if date is None:
        raise _Unreadable(NOT_READABLE)
    tender_value, currency = _money(tender.get("value"))
    found_period = tender.get("tenderPeriod")
    period: Mapping[str, Any] = found_period if isinstance(found_period, Mapping) else {}
    award, contract = _first(release.get("awards")), _first(release.get("contracts"))
    supplier = _first(award.get("suppliers"))
    supplier_id = str(supplier.get("id") or "") or None
    if supplier_id is not None and supplier_id.startswith(SUPPLIER_PREFIX):
        supplier_id = supplier_id[len(SUPPLIER_PREFIX) :]
    award_value, award_currency = _money(award.get("value"))
    contract_value, contract_currency = _money(contract.get("value"))
    return {
        "id": process_id,
        "title": str(tender["title"]),
        "description": tender.get("description"),
        "status": _code("status", tender.get("status") or "active"),
        "method": _code("method", tender.get("procurementMethod")),
        "category": _code("category", tender.get("mainProcurementCategory")),
        "date": date,
        "tender_value": tender_value,
        "currency": currency or award_currency or contract_currency or "DOP",
        "tender_start": _date(period.get("startDate")),
        "tender_end": _date(period.get("endDate")),
        "supplier_id": supplier_id,
        "supplier_name": supplier.get("name"),
        "award_value": award_value,
        "award_date": _date(award.get("date")),
        "award_status": _code("award_status", award.get("status")),
        "contract_value": contract_value,
        "contract_date": _date(contract.get("dateSigned")),
        "contract_status": _code("contract_status", contract.get("status")),
    }


def record_of(release: Mapping[str, Any], position: int) -> dict[str, Any]:
    """The flat record of one release; a `problem` record when it cannot be read."""
    ocid = str(release.get("ocid") or "")
    process_id = ocid[len(PREFIX) :] if ocid.startswith(PREFIX) else ""
    shown = process_id or f"#{position + 1}"
    if not process_id:
        return {"id": shown, "problem": NO_PREFIX}
    try:
        return _flatten(release, process_id)
    except _Unreadable as unreadable:
        return {"id": shown, "problem": unreadable.problem}


def latest_by_ocid(releases: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """One release per process: the latest by `date` (a package may hold several)."""
    latest: dict[str, Mapping[str, Any]] = {}
    for release in releases:
        key = str(release.get("ocid") or id(release))
        held = latest.get(key)
        if held is None or str(release.get("date") or "") >= str(held.get("date") or ""):
            latest[key] = release
    return list(latest.values())
