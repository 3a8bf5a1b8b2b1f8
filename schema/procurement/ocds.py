"""A contracting process record as an OCDS 1.1 release, and a municipality's release package.

A `procurement` record is flat (`connectors/capabilities.py`): one tender, at most one award
and one contract. The release has the Dominican publisher prefix (`ocds-6550wx`), the buyer
as `DO-UC-<unidad de compras>` and the supplier as `DO-RPE-<Registro de Proveedores del
Estado number>`. A record the hub cannot make a valid release of raises `MalformedProcess`,
naming the process and what is wrong, so that the caller leaves it out and says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import AsyncIterator, Iterable, Mapping
from decimal import Decimal
from typing import Any

from connectors import Record
from words import Message

OCID_PREFIX = "ocds-6550wx"
BUYER_SCHEME = "DO-UC"
SUPPLIER_SCHEME = "DO-RPE"
OCDS_VERSION = "1.1"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
#: The Dominican Republic keeps Atlantic Standard Time all year.
DOMINICAN_TIME = dt.timezone(dt.timedelta(hours=-4))

_PROCESS_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")
_RPE_NUMBER = re.compile(r"^[0-9]{1,12}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class MalformedProcess(Exception):
    """A process record that cannot be published as a valid release."""

    def __init__(self, process_id: str, reason: Message) -> None:
        super().__init__(f"{process_id}: {reason.id}")
        self.process_id = process_id
        self.reason = reason


@dataclasses.dataclass(frozen=True, slots=True)
class Buyer:
    """The local government as its processes' buyer and the package's publisher."""

    name: str
    unit: str

    @property
    def party_id(self) -> str:
        return f"{BUYER_SCHEME}-{self.unit}"


def ocid_of(process_id: str) -> str:
    return f"{OCID_PREFIX}-{process_id}"


def _timestamp(value: Any) -> str:
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=DOMINICAN_TIME)
    else:
        moment = dt.datetime.combine(value, dt.time(), DOMINICAN_TIME)
    return moment.isoformat(timespec="seconds")


def _amount(process_id: str, value: Any, currency: str) -> dict[str, Any] | None:
    if value is None:
        return None
    amount = Decimal(value)
    if amount < 0 or not amount.is_finite():
        raise MalformedProcess(
            process_id, Message("schema", "an amount that is negative or not a number")
        )
    return {"amount": float(amount), "currency": currency}


def _drop_empty(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


def _problem(record: Record) -> None:
    problem = record.get("problem")
    if problem:
        # A problem the connector found: an id of its own catalogue.
        raise MalformedProcess(str(record.get("id") or "?"), Message("sources", str(problem)))


def release_of(record: Record, buyer: Buyer) -> dict[str, Any]:
    """The OCDS 1.1 release of one process record; raises `MalformedProcess`."""
    _problem(record)
    process_id = str(record.get("id") or "")
    if not _PROCESS_CODE.fullmatch(process_id):
        raise MalformedProcess(
            process_id or "?", Message("schema", "a process code that cannot be an ocid")
        )
    if not record.get("title") or not record.get("status") or record.get("date") is None:
        raise MalformedProcess(
            process_id, Message("schema", "a process without its title, status or date")
        )
    currency = str(record.get("currency") or "DOP")
    if not _CURRENCY.fullmatch(currency):
        raise MalformedProcess(process_id, Message("schema", "a currency that is not ISO 4217"))
    start, end = record.get("tender_start"), record.get("tender_end")
    if start is not None and end is not None and end < start:
        raise MalformedProcess(
            process_id, Message("schema", "a tender period that ends before it starts")
        )
    ocid = ocid_of(process_id)
    buyer_ref = {"id": buyer.party_id, "name": buyer.name}
    parties: list[dict[str, Any]] = [
        {
            **buyer_ref,
            "identifier": {"scheme": BUYER_SCHEME, "id": buyer.unit, "legalName": buyer.name},
            "roles": ["buyer", "procuringEntity"],
        }
    ]
    tender = _drop_empty(
        {
            "id": process_id,
            "title": str(record["title"]),
            "description": record.get("description"),
            "status": record["status"],
            "procurementMethod": record.get("method"),
            "mainProcurementCategory": record.get("category"),
            "value": _amount(process_id, record.get("tender_value"), currency),
            "tenderPeriod": _drop_empty(
                {
                    "startDate": None if start is None else _timestamp(start),
                    "endDate": None if end is None else _timestamp(end),
                }
            ),
            "procuringEntity": buyer_ref,
        }
    )
    awards: list[dict[str, Any]] = []
    supplier_id = record.get("supplier_id")
    has_award = any(
        record.get(f) is not None
        for f in ("supplier_id", "award_value", "award_date", "award_status")
    )
    if has_award:
        suppliers = []
        if supplier_id is not None:
            number = str(supplier_id).strip()
            if not _RPE_NUMBER.fullmatch(number):
                raise MalformedProcess(
                    process_id, Message("schema", "a supplier number that is not an RPE number")
                )
            supplier_ref = {
                "id": f"{SUPPLIER_SCHEME}-{number}",
                "name": str(record.get("supplier_name") or number),
            }
            parties.append(
                {
                    **supplier_ref,
                    "identifier": _drop_empty(
                        {
                            "scheme": SUPPLIER_SCHEME,
                            "id": number,
                            "legalName": record.get("supplier_name"),
                        }
                    ),
                    "roles": ["supplier"],
                }
            )
            suppliers.append(supplier_ref)
        award_date = record.get("award_date")
        awards.append(
            _drop_empty(
                {
                    "id": f"{process_id}-1",
                    "status": record.get("award_status") or "active",
                    "date": None if award_date is None else _timestamp(award_date),
                    "value": _amount(process_id, record.get("award_value"), currency),
                    "suppliers": suppliers,
                }
            )
        )
    contracts: list[dict[str, Any]] = []
    if any(
        record.get(f) is not None for f in ("contract_value", "contract_date", "contract_status")
    ):
        if not awards:
            raise MalformedProcess(process_id, Message("schema", "a contract without an award"))
        signed = record.get("contract_date")
        contracts.append(
            _drop_empty(
                {
                    "id": f"{process_id}-1",
                    "awardID": awards[0]["id"],
                    "status": record.get("contract_status") or "active",
                    "dateSigned": None if signed is None else _timestamp(signed),
                    "value": _amount(process_id, record.get("contract_value"), currency),
                }
            )
        )
    tag = ["tender", *(["award"] if awards else []), *(["contract"] if contracts else [])]
    return _drop_empty(
        {
            "ocid": ocid,
            "id": f"{ocid}-{record['date'].isoformat()}",
            "date": _timestamp(record["date"]),
            "tag": tag,
            "initiationType": "tender",
            "language": "es",
            "parties": parties,
            "buyer": buyer_ref,
            "tender": tender,
            "awards": awards,
            "contracts": contracts,
        }
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Releases:
    """The releases of a municipality's records, and the processes left out."""

    releases: list[dict[str, Any]]
    malformed: list[MalformedProcess]


def releases_of(records: Iterable[Record], buyer: Buyer) -> Releases:
    releases, malformed = [], []
    for record in records:
        try:
            releases.append(release_of(record, buyer))
        except MalformedProcess as problem:
            malformed.append(problem)
    releases.sort(key=lambda r: (r["date"], r["ocid"]), reverse=True)
    return Releases(releases, malformed)


def package_head(buyer: Buyer, uri: str, policy: str, published: dt.datetime) -> dict[str, Any]:
    """Everything of a release package but its releases (the municipality publishes)."""
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": published.isoformat(timespec="seconds"),
        "publisher": {"name": buyer.name, "scheme": BUYER_SCHEME, "uid": buyer.unit},
        "license": LICENSE,
        "publicationPolicy": policy,
    }


def release_package(
    releases: Iterable[Mapping[str, Any]], head: Mapping[str, Any]
) -> dict[str, Any]:
    return {**head, "releases": list(releases)}


async def package_chunks(
    releases: Iterable[Mapping[str, Any]], head: Mapping[str, Any]
) -> AsyncIterator[bytes]:
    """The package as JSON, a release at a time (a large package is never one string)."""
    opening = json.dumps({**head, "releases": []}, ensure_ascii=False)
    yield opening[: -len("[]}")].encode() + b"["
    for index, release in enumerate(releases):
        text = json.dumps(release, ensure_ascii=False)
        yield (text if index == 0 else "," + text).encode()
    yield b"]}"
