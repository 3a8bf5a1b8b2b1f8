"""The demo citizens' personal values, in one place, and how to look for them in text.

The names, e-mails and cédulas come from the demo provider's users
(`demo.identity_provider.DEMO_USERS`); the phone numbers, addresses and the
cédulas the citizens write in their profiles are defined here (the provider's cédulas
are made up without a valid check digit, so a profile cannot hold them). Tests write
these profiles; the log scan, the anonymous walk and the export tests look for every
value, in every form it could take in text: as written, folded (case, accents), digits
only, JSON-escaped and URL-encoded.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

from demo.identity_provider import DEMO_USERS, DemoUser

_USERS = {user.username: user for user in DEMO_USERS}


@dataclasses.dataclass(frozen=True, slots=True)
class DemoCitizen:
    """A demo citizen: who they are at the provider, and what they write in their profile."""

    user: DemoUser
    cedula: str
    phone: str
    address: str
    municipality: str

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def subject(self) -> str:
        return self.user.subject

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def email(self) -> str:
        return self.user.email

    def profile_input(self, *, consent: bool = True) -> dict[str, Any]:
        """`ProfileInput` for `updateMyProfile`: everything, with consent."""
        return {
            "name": self.name,
            "cedula": self.cedula,
            "phone": self.phone,
            "email": self.email,
            "address": self.address,
            "municipality": self.municipality,
            "consent": consent,
        }

    def values(self) -> dict[str, str]:
        """Every personal value, by what it is."""
        return {
            "name": self.name,
            "email": self.email,
            "cedula": self.cedula,
            "cedula at the provider": self.user.cedula,
            "phone": self.phone,
            "address": self.address,
        }


MARIA = DemoCitizen(
    _USERS["maria"],
    cedula="001-1234567-3",
    phone="829-555-0142",
    address="Calle Las Orquídeas 27, Ensanche Isabelita",
    municipality="santo-domingo-este",
)
JUAN = DemoCitizen(
    _USERS["juan"],
    cedula="031-7654321-7",
    phone="849-555-0177",
    address="Callejón Los Almendros 9, Los Jardines Metropolitanos",
    municipality="santiago",
)
DEMO_CITIZENS = (MARIA, JUAN)

#: Staff and the national administrator are people too: their names, e-mails, cédulas.
OTHER_PEOPLE: Mapping[str, Mapping[str, str]] = {
    user.username: {"name": user.name, "email": user.email, "cedula": user.cedula}
    for user in DEMO_USERS
    if user.username not in {c.username for c in DEMO_CITIZENS}
}


def fold(text: str) -> str:
    """Lower case, accents off, runs of spaces as one."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _forms(value: str) -> Iterator[str]:
    yield fold(value)
    for encoded in (json.dumps(value)[1:-1], quote(value), quote_plus(value)):
        yield encoded.casefold()
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 7 and not re.search(r"[^\d\s().+-]", value):
        yield digits


def _needles() -> dict[str, str]:
    """Search form → a description of the value (who, what) for failure messages."""
    found: dict[str, str] = {}
    for citizen in DEMO_CITIZENS:
        for what, value in citizen.values().items():
            for form in _forms(value):
                found.setdefault(form, f"{citizen.username}'s {what}")
    for username, values in OTHER_PEOPLE.items():
        for what, value in values.items():
            for form in _forms(value):
                found.setdefault(form, f"{username}'s {what}")
    return found


NEEDLES: Mapping[str, str] = _needles()


#: A number as people write it: digits, maybe grouped by spaces, dots, dashes, brackets.
_NUMBER = re.compile(r"\+?\d[\d .()-]{5,}\d")


def personal_values_in(text: str, *, only: tuple[DemoCitizen, ...] | None = None) -> set[str]:
    """Which demo people's values `text` holds ("maria's cedula", …), in any form."""
    # Numbers are compared digit for digit within each number written in the text.
    numbers = "\n".join(re.sub(r"\D", "", n) for n in _NUMBER.findall(text))
    haystacks = (fold(text), text.casefold(), numbers)
    wanted = None if only is None else {c.username for c in only}
    hits = set()
    for needle, description in NEEDLES.items():
        if wanted is not None and description.split("'")[0] not in wanted:
            continue
        if any(needle in haystack for haystack in haystacks):
            hits.add(description)
    return hits
