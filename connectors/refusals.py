"""When a municipality's system refuses a request for good, and what it said about it.

A submit may fail in two ways that call for different answers. The system may be down,
slow or busy for now: the hub's outbox tries again with a backoff. Or the system may have
looked at the request and refused it as it is (the procedure is inactive, a value breaks
one of its rules): sending it again cannot help, so the delivery is given up at once, kept
for a person, and the citizen is told. Which is which is declared per `requests` binding,
with defaults that fit most systems::

    rejects:                                    # SOAP: by fault code or message
      fault_codes: ['Client', 'Client.*', 'Sender', 'Sender.*']     # the default
      except_fault_codes: ['*Autentica*', '*Authentica*', ...]      # the default
      messages: ['tr[aá]mite inactivo']         # regular expressions, any case

    rejects:                                    # SQL: by DB-API class, code or message
      error_classes: [IntegrityError, DataError]                    # the default
      codes: ['23*', '45000', 'SQLITE_CONSTRAINT_TRIGGER']          # SQLSTATE, MySQL, SQLite
      messages: ['tr[aá]mite inactivo']

A fault code that is a credential problem (`except_fault_codes`) is never a refusal of the
request: every request would fail alike, and that is for an operator to fix. A message
pattern refuses whatever the code.

What the system said is kept as `RequestRefused.reason`: its first line, without anything
that could be personal data (the request's own values, e-mail addresses, runs of digits
such as a cédula or a telephone number), cut to `REASON_LENGTH` characters.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from typing import Literal

from pydantic import Field, field_validator

from connectors.request_binding import StrictModel
from connectors.writes import OutgoingRequest

__all__ = [
    "REASON_LENGTH",
    "SoapRejects",
    "SqlRejects",
    "sanitised_reason",
]

#: The longest reason kept (the failed-deliveries page, the citizen's tracking page).
REASON_LENGTH = 200

_CREDENTIAL_FAULTS = [
    "*autentica*",
    "*authentica*",
    "*autoriza*",
    "*authoriz*",
    "*credencial*",
    "*credential*",
    "*security*",
    "*seguridad*",
    "*token*",
]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
#: A cédula (001-1234567-8), a telephone number (809-555-0101), an account: 7+ digits.
_DIGITS = re.compile(r"\+?\d(?:[\s.-]?\d){6,}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_HIDDEN = "…"


def _patterns(value: list[str], key: str) -> list[str]:
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(
                f"`{key}`: regular expressions; found {pattern!r} ({error.msg})"
            ) from None
    return value


def _any_message(patterns: Iterable[str], text: str) -> bool:
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


def _any_code(patterns: Iterable[str], codes: Iterable[str]) -> bool:
    wanted = [p.casefold() for p in patterns]
    return any(fnmatch.fnmatchcase(c.casefold(), p) for c in codes for p in wanted)


class SoapRejects(StrictModel):
    """Which SOAP faults of the submit operation refuse the request for good."""

    fault_codes: list[str] = Field(
        default_factory=lambda: ["Client", "Client.*", "Sender", "Sender.*"],
        description="Fault codes (glob patterns, any case, without the namespace prefix: "
        "Client.TramiteInactivo) that refuse the request as it is; default Client.* and "
        "SOAP 1.2's Sender.*.",
    )
    except_fault_codes: list[str] = Field(
        default_factory=lambda: list(_CREDENTIAL_FAULTS),
        description="Fault codes that are never a refusal of the request (wrong "
        "credentials: every request would fail alike); default: those naming "
        "authentication, authorisation, credentials, security or a token.",
    )
    messages: list[str] = Field(
        default_factory=list,
        description="Regular expressions (any case) on the fault's text that refuse the "
        "request whatever its code, e.g. 'tr[aá]mite inactivo'.",
    )

    @field_validator("messages")
    @classmethod
    def _regular_expressions(cls, value: list[str]) -> list[str]:
        return _patterns(value, "rejects.messages")

    def refuses(self, fault_code: str, text: str) -> bool:
        """Whether a fault with this code (`Client.X`, prefixes removed) and text refuses
        the request for good."""
        if _any_message(self.messages, text):
            return True
        codes = [fault_code]
        return _any_code(self.fault_codes, codes) and not _any_code(self.except_fault_codes, codes)


SqlErrorClass = Literal[
    "IntegrityError", "DataError", "ProgrammingError", "InternalError", "NotSupportedError"
]


_DEFAULT_SQL_CLASSES: tuple[SqlErrorClass, ...] = ("IntegrityError", "DataError")


class SqlRejects(StrictModel):
    """Which errors of the INSERT refuse the request for good."""

    error_classes: list[SqlErrorClass] = Field(
        default_factory=lambda: list(_DEFAULT_SQL_CLASSES),
        description="DB-API error classes that refuse the request as it is (default: a "
        "constraint or trigger refused it, or a value does not fit a column). Connection "
        "and lock problems (OperationalError) are always retried.",
    )
    codes: list[str] = Field(
        default_factory=list,
        description="Error codes (glob patterns) that refuse it too: a SQLSTATE "
        "('23*', '45000'), a MySQL error number ('1644'), a SQLite error name "
        "('SQLITE_CONSTRAINT_TRIGGER').",
    )
    messages: list[str] = Field(
        default_factory=list,
        description="Regular expressions (any case) on the database's message that refuse "
        "it, e.g. a trigger's 'tr[aá]mite inactivo'.",
    )

    @field_validator("messages")
    @classmethod
    def _regular_expressions(cls, value: list[str]) -> list[str]:
        return _patterns(value, "rejects.messages")

    def refuses(self, error_class: str, codes: Iterable[str], text: str) -> bool:
        """Whether an error of this DB-API class (`IntegrityError`), with these driver
        codes (`connectors.sql.errors.error_codes`) and message, refuses the request."""
        if _any_message(self.messages, text):
            return True
        return _any_code(self.codes, codes) or error_class in self.error_classes


def sanitised_reason(text: str, request: OutgoingRequest | None = None) -> str:
    """What a system said, safe to keep and show: its first line, with the request's own
    values, e-mail addresses and long runs of digits taken out, cut short."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    line = _CONTROL.sub(" ", line)
    if request is not None:
        for value in _personal_values(request):
            line = re.sub(re.escape(value), _HIDDEN, line, flags=re.IGNORECASE)
    line = _EMAIL.sub(_HIDDEN, line)
    line = _DIGITS.sub(_HIDDEN, line)
    line = " ".join(line.split())
    if len(line) > REASON_LENGTH:
        line = line[: REASON_LENGTH - 1].rstrip() + _HIDDEN
    return line


def _personal_values(request: OutgoingRequest) -> list[str]:
    """The request's values that may be a person's (longest first, so none hides part of
    another); very short ones (a yes, a number) are left, they say nothing of anyone."""
    values = [
        request.description,
        request.address,
        request.citizen_name,
        request.citizen_cedula,
        request.citizen_phone,
        request.citizen_email,
        *request.answers.values(),
    ]
    if request.citizen_name:
        values += request.citizen_name.split()
    found = {v.strip() for v in values if v and len(v.strip()) >= 4}
    return sorted(found, key=len, reverse=True)
