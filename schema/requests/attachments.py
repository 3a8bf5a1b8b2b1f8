"""Files a citizen attaches to a request: the limits (one place), the checks, and who may
download them.

Limits: at most `MAX_FILES` files, each at most `MAX_FILE_BYTES`, of the types in
`ALLOWED_TYPES` (JPEG and PNG photos, PDF documents). The type is decided by the file's
first bytes (its "magic number"), never by its name or by the type the client declared:
a program renamed `foto.jpg` is refused, and a photo is stored with the type it really
has. Every problem is a `FieldError` in plain Spanish and English that names the file by
its position (first, second, third) and says what is wrong; it never repeats the file's
name (personal data) nor anything of its content.

The file name is personal data (it often holds a name or a cédula): it is kept, and shown
only to the citizen who sent it and to staff of the owning local government, like the
rest of the request's personal fields. The bytes are served by the web client's download
route (`DOWNLOAD_PATH`) under the same rule, through `download` here: the citizen, or
staff of the owning local government with a purpose (audited); anyone else is told there
is no such file, whether there is or not.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Sequence
from typing import Any

from schema.context import HubContext
from schema.errors import PublicError
from schema.field_errors import FieldError, problem
from schema.personal import (
    Access,
    Ownership,
    access_of,
    append_audit,
    audit_entry,
    check_purpose,
)
from schema.requests.access import REQUEST_RECORD, request_store
from store.audit import KnownAction
from store.requests import NewAttachment
from words import Message

__all__ = [
    "ACCEPT",
    "ALLOWED_TYPES",
    "DOWNLOAD_PATH",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_UPLOAD_BODY_BYTES",
    "Download",
    "download",
    "download_url",
    "read_attachments",
    "sniff",
]

MAX_FILES = 3
MAX_FILE_BYTES = 5 * 1024 * 1024
#: The content types taken, with the first bytes that identify each.
ALLOWED_TYPES: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}
#: The file input's `accept` (a hint for the browser's file chooser; the check is here).
ACCEPT = ".jpg,.jpeg,.png,.pdf"
#: Room for the largest request the limits allow (every file at its maximum, plus the
#: form's other fields): the ceiling on multipart bodies where files are taken.
MAX_UPLOAD_BODY_BYTES = MAX_FILES * MAX_FILE_BYTES + (1 << 20)
#: Where the web client serves an attachment's bytes (followed by its id).
DOWNLOAD_PATH = "/solicitudes/adjuntos/"
#: Stored file names are cut to the column's size.
FILENAME_LENGTH = 200
#: What the audit log names as the fields read.
AUDIT_FIELDS = ["attachments"]

#: How a problem names a file, by its position (never by its name: personal data).
_ORDINALS = (
    Message("schema", "The first file"),
    Message("schema", "The second file"),
    Message("schema", "The third file"),
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def sniff(content: bytes) -> str | None:
    """The content type the bytes really are, among `ALLOWED_TYPES`; None otherwise."""
    for content_type, signatures in ALLOWED_TYPES.items():
        if any(content.startswith(signature) for signature in signatures):
            return content_type
    return None


def download_url(attachment_id: str) -> str:
    return f"{DOWNLOAD_PATH}{attachment_id}"


def clean_filename(value: object) -> str | None:
    """The name as the citizen's device gave it, without folders or control characters."""
    if not isinstance(value, str):
        return None
    name = re.split(r"[\\/]", value)[-1]
    name = " ".join(_CONTROL.sub("", name).split())
    return name[:FILENAME_LENGTH] or None


def _which(position: int) -> Message:
    """How a problem names the file at `position` ("The first file" for 0), worded in the
    problem's language."""
    if position < len(_ORDINALS):
        return _ORDINALS[position]
    return Message("schema", "File number %(number)s", {"number": position + 1})


def _too_many(count: int) -> FieldError:
    return problem(
        "attachments",
        "TOO_MANY_FILES",
        Message(
            "schema",
            "You can attach at most %(maximum)s files and you chose %(count)s. "
            "Choose %(maximum)s or fewer.",
            {"maximum": MAX_FILES, "count": count},
        ),
    )


def _too_large(position: int) -> FieldError:
    return problem(
        f"attachments.{position}",
        "FILE_TOO_LARGE",
        Message(
            "schema",
            "%(file)s is larger than %(limit)s MB, the most each file may be. Choose a "
            "smaller one (for example, a photo with a lower resolution or a PDF with fewer "
            "pages).",
            {"file": _which(position), "limit": MAX_FILE_BYTES >> 20},
        ),
    )


def _wrong_type(position: int) -> FieldError:
    return problem(
        f"attachments.{position}",
        "FILE_TYPE_NOT_ALLOWED",
        Message(
            "schema",
            "%(file)s is not a JPEG or PNG photo or a PDF document. Only those kinds of file "
            "are accepted, judged by what the file holds, not by its name.",
            {"file": _which(position)},
        ),
    )


def _empty(position: int) -> FieldError:
    return problem(
        f"attachments.{position}",
        "FILE_EMPTY",
        Message(
            "schema",
            "%(file)s is empty. Choose the file again or remove it.",
            {"file": _which(position)},
        ),
    )


async def _read(upload: Any, limit: int) -> bytes:
    """Up to `limit` bytes of an upload (Starlette's `UploadFile`, a file object, bytes)."""
    if isinstance(upload, bytes | bytearray | memoryview):
        return bytes(upload[:limit])
    read = getattr(upload, "read", None)
    if read is None:
        raise TypeError("not a file")
    content = read(limit)
    if inspect.isawaitable(content):
        content = await content
    return bytes(content)


async def read_attachments(
    uploads: Sequence[Any] | None, errors: list[FieldError]
) -> list[NewAttachment]:
    """The uploads as attachments to store, or problems added to `errors` (and nothing
    worth storing: a submit with any problem stores none). Reads at most one byte more
    than the limit of each file."""
    uploads = list(uploads or ())
    if len(uploads) > MAX_FILES:
        errors.append(_too_many(len(uploads)))
        return []
    checked: list[NewAttachment] = []
    for position, upload in enumerate(uploads):
        try:
            content = await _read(upload, MAX_FILE_BYTES + 1)
        except (TypeError, ValueError, OSError):
            errors.append(_wrong_type(position))
            continue
        if not content:
            errors.append(_empty(position))
            continue
        if len(content) > MAX_FILE_BYTES:
            errors.append(_too_large(position))
            continue
        content_type = sniff(content)
        if content_type is None:
            errors.append(_wrong_type(position))
            continue
        checked.append(
            NewAttachment(
                filename=clean_filename(getattr(upload, "filename", None)),
                content_type=content_type,
                content=content,
            )
        )
    return checked


# -- Downloading -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Download:
    content_type: str
    content: bytes = dataclasses.field(repr=False)
    filename: str | None = dataclasses.field(default=None, repr=False)


class PurposeNeeded(Exception):
    """Staff of the owning local government asked without a valid purpose; `message`
    (plain Spanish) says what to give."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def download(
    context: HubContext, attachment_id: str, purpose: str | None = None
) -> Download | None:
    """The attachment's bytes for the citizen who sent it, or for staff of the owning
    local government with a `purpose` (audited before the bytes are released); None for
    anyone else and for an attachment that does not exist or was erased (a signed-in
    caller's refusal is audited). Raises `PurposeNeeded` for that staff without a valid
    purpose, and `PublicError` when the store or the audit log is unavailable."""
    found = await request_store(context).stored_attachment(attachment_id)
    if found is None:
        return None
    ownership = Ownership(
        data_subject=found.citizen_subject,
        municipality_id=found.municipality_id,
        record_type=REQUEST_RECORD,
        record_id=found.request_id,
    )
    principal = context.principal
    access = access_of(principal, ownership)
    if access is Access.DENIED:
        if principal.is_authenticated:
            denied = audit_entry(
                principal, ownership, KnownAction.ACCESS_DENIED, AUDIT_FIELDS, context
            )
            await append_audit(context, denied)
        return None
    if access is Access.STAFF:
        try:
            stated = check_purpose(purpose)
        except PublicError as error:
            raise PurposeNeeded(error.message) from None
        read = dataclasses.replace(ownership, purpose=stated)
        await append_audit(
            context,
            audit_entry(principal, read, KnownAction.READ_PERSONAL_DATA, AUDIT_FIELDS, context),
        )
    return Download(found.content_type, found.content, found.filename)
