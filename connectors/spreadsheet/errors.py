"""How file-system and parser exceptions become the connector error tree (`spreadsheet`).

A file that is missing, unreadable or changing while read is transient (it may be
mid-copy from a USB stick or a shared folder); a file that is not a workbook, or not
text in the declared encoding, is an `UpstreamError` the citizen is told of plainly.
"""

from __future__ import annotations

import csv

from connectors.boundary import Classify
from connectors.errors import ConnectorError, TransientError, UpstreamError
from words import Message

__all__ = ["FILE_DAMAGED", "WORKBOOK_DAMAGED", "csv_error", "file_error", "unreadable"]

WORKBOOK_DAMAGED = Message(
    "sources", "The municipality's spreadsheet is damaged and could not be read."
)
FILE_DAMAGED = Message("sources", "The municipality's file is damaged and could not be read.")
_FILE_UNREADABLE = Message("sources", "The municipality's file could not be read.")


def file_error(source: str, exc: BaseException) -> ConnectorError | None:
    """Reading the file's bytes failed: try again later."""
    if isinstance(exc, FileNotFoundError):
        return TransientError(f"{source}: file not found")
    if isinstance(exc, OSError):
        return TransientError(f"{source}: cannot read the file: {type(exc).__name__}: {exc}")
    return None


def unreadable(what: str) -> Classify:
    """Whatever a workbook parser raises (zipfile.BadZipFile, InvalidFileException,
    KeyError, XML errors…): the file is not a readable workbook; `what` says so."""

    def classify(source: str, exc: BaseException) -> ConnectorError | None:
        if not isinstance(exc, Exception):
            return None
        return UpstreamError(
            f"{source}: {what}: {type(exc).__name__}: {exc}", message=WORKBOOK_DAMAGED
        )

    return classify


def csv_error(encoding: str) -> Classify:
    """A CSV file that is not text in `encoding`, or not CSV."""

    def classify(source: str, exc: BaseException) -> ConnectorError | None:
        if isinstance(exc, UnicodeDecodeError):
            return UpstreamError(
                f"{source}: not {encoding} text at byte {exc.start}; "
                "set `encoding: latin-1` (or cp1252) on the source if Excel saved it",
                message=_FILE_UNREADABLE,
            )
        if isinstance(exc, csv.Error):
            return UpstreamError(f"{source}: not a readable CSV file: {exc}", message=FILE_DAMAGED)
        return None

    return classify
