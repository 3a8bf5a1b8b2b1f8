"""Checking and normalising what a citizen writes about themselves.

Each check returns the normalised value (None for an empty field, which clears it) or
raises `Invalid` with a code and a plain-Spanish message (from the `accounts` catalogue)
that names the field but never repeats the value: messages reach logs and screens, values
must not.
"""

from __future__ import annotations

import dataclasses
import enum
import re

from store.citizens import (
    ADDRESS_LENGTH,
    EMAIL_LENGTH,
    NAME_LENGTH,
)
from words import Message


class ProblemCode(enum.Enum):
    INVALID_CEDULA = "INVALID_CEDULA"
    CEDULA_CHECK_DIGIT = "CEDULA_CHECK_DIGIT"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_TEXT = "INVALID_TEXT"
    TOO_LONG = "TOO_LONG"


class Invalid(ValueError):
    def __init__(self, code: ProblemCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_SEPARATORS = re.compile(r"[\s.\-()/]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LETTER = re.compile(r"[^\W\d_]")
_EMAIL = re.compile(r"[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+")
#: The area codes of the Dominican Republic.
_AREA_CODES = ("809", "829", "849")


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    return text or None


def cedula_check_digit(first_ten: str) -> int:
    """The Junta Central Electoral's check digit: Luhn over the first ten digits (weights
    1, 2, 1, 2…, the digits of each product added)."""
    total = 0
    for position, digit in enumerate(first_ten):
        product = int(digit) * (1 if position % 2 == 0 else 2)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def cedula(value: str | None) -> str | None:
    """`001-1234567-3` or `00112345673` → `001-1234567-3`."""
    text = _text(value)
    if text is None:
        return None
    digits = _SEPARATORS.sub("", text)
    if not (len(digits) == 11 and digits.isascii() and digits.isdigit()):
        raise Invalid(
            ProblemCode.INVALID_CEDULA,
            Message("accounts", "The cedula must have 11 digits, in the form 000-0000000-0.").es,
        )
    if cedula_check_digit(digits[:10]) != int(digits[10]):
        raise Invalid(
            ProblemCode.CEDULA_CHECK_DIGIT,
            Message(
                "accounts", "The check digit of the cedula does not match: check the number."
            ).es,
        )
    return f"{digits[:3]}-{digits[3:10]}-{digits[10]}"


def phone(value: str | None) -> str | None:
    """A Dominican number, with or without +1 and separators → `809-555-0123`."""
    text = _text(value)
    if text is None:
        return None
    digits = _SEPARATORS.sub("", text)
    if digits.startswith("+1"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if not (
        len(digits) == 10
        and digits.isascii()
        and digits.isdigit()
        and digits.startswith(_AREA_CODES)
    ):
        raise Invalid(
            ProblemCode.INVALID_PHONE,
            Message(
                "accounts",
                "The phone must be a Dominican number of 10 digits starting with 809, 829 or "
                "849, for example 809-555-0100.",
            ).es,
        )
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def email(value: str | None) -> str | None:
    text = _text(value)
    if text is None:
        return None
    if len(text) > EMAIL_LENGTH:
        raise Invalid(
            ProblemCode.TOO_LONG,
            Message(
                "accounts",
                "The email address cannot be longer than %(limit)s characters.",
                {"limit": EMAIL_LENGTH},
            ).es,
        )
    if not _EMAIL.fullmatch(text):
        raise Invalid(
            ProblemCode.INVALID_EMAIL,
            Message(
                "accounts", "The email address is not valid: write it like name@example.com."
            ).es,
        )
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


@dataclasses.dataclass(frozen=True, slots=True)
class _FreeText:
    """A free-text field's limit and the words of its problems."""

    limit: int
    not_allowed: Message
    too_long: Message
    no_letters: Message


_NAME = _FreeText(
    NAME_LENGTH,
    Message("accounts", "The name contains characters that are not allowed."),
    Message(
        "accounts", "The name cannot be longer than %(limit)s characters.", {"limit": NAME_LENGTH}
    ),
    Message("accounts", "The name must contain letters."),
)
_ADDRESS = _FreeText(
    ADDRESS_LENGTH,
    Message("accounts", "The address contains characters that are not allowed."),
    Message(
        "accounts",
        "The address cannot be longer than %(limit)s characters.",
        {"limit": ADDRESS_LENGTH},
    ),
    Message("accounts", "The address must contain letters."),
)


def _free_text(value: str | None, field: _FreeText, *, letters: bool) -> str | None:
    if value is not None and _CONTROL.search(value.replace("\n", " ").replace("\t", " ")):
        raise Invalid(ProblemCode.INVALID_TEXT, field.not_allowed.es)
    text = _text(value)
    if text is None:
        return None
    if len(text) > field.limit:
        raise Invalid(ProblemCode.TOO_LONG, field.too_long.es)
    if letters and not _LETTER.search(text):
        raise Invalid(ProblemCode.INVALID_TEXT, field.no_letters.es)
    return text


def name(value: str | None) -> str | None:
    return _free_text(value, _NAME, letters=True)


def address(value: str | None) -> str | None:
    return _free_text(value, _ADDRESS, letters=True)
