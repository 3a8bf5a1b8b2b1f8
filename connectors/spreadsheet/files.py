"""Reading the file: its bytes checked against a copy in progress, then its sheets' cells.

Each call stats the file; a new (mtime_ns, size) is a new version, read whole once and
parsed in the caller's (worker) thread. A file that fails to parse less than 10 s after
it last changed is taken as still being copied (transient), not as corrupt.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl  # type: ignore[import-untyped,unused-ignore]

from connectors.boundary import at_boundary
from connectors.errors import TransientError, UpstreamError
from connectors.spreadsheet.config import SpreadsheetSourceConfig
from connectors.spreadsheet.errors import csv_error, file_error, unreadable
from connectors.spreadsheet.tables import Cell

__all__ = ["Version", "Workbook", "current_version", "read_workbook"]

#: A file that fails to parse within this long of its last change is taken as still being
#: copied (a transient condition), not as corrupt.
_SETTLING_NS = 10 * 1_000_000_000


@dataclasses.dataclass(frozen=True, slots=True)
class Version:
    """What tells one saved version of the file from the next."""

    mtime_ns: int
    size: int

    @classmethod
    def of(cls, path: Path) -> Version:
        stat = path.stat()
        return cls(stat.st_mtime_ns, stat.st_size)


@dataclasses.dataclass(frozen=True, slots=True)
class Workbook:
    version: Version
    #: Sheet name → its rows of cells, in the file's order (a CSV file is one sheet).
    sheets: Mapping[str, Sequence[Sequence[Cell]]]


def current_version(path: Path) -> Version:
    """The version of the file on disk now."""
    with at_boundary(f"spreadsheet {path}", file_error):
        return Version.of(path)


def read_workbook(path: Path, settings: SpreadsheetSourceConfig, version: Version) -> Workbook:
    """Read and parse the file, last seen at `version`."""
    with at_boundary(f"spreadsheet {path}", file_error):
        # Read the bytes, then check the file did not change meanwhile (a copy in progress).
        for _ in range(3):
            data = path.read_bytes()
            after = Version.of(path)
            if after == version and len(data) == version.size:
                break
            version = after
        else:
            raise TransientError(f"spreadsheet {path}: the file kept changing while being read")
    try:
        if settings.file_format == "xlsx":
            sheets = _parse_xlsx(data, path)
        else:
            sheets = _parse_csv(data, path, settings)
    except UpstreamError as exc:
        if time.time_ns() - version.mtime_ns < _SETTLING_NS:
            raise TransientError(
                f"{exc.internal_message} (changed moments ago: it may still be being copied)"
            ) from exc
        raise
    return Workbook(version, sheets)


def _parse_xlsx(data: bytes, path: Path) -> dict[str, list[tuple[Cell, ...]]]:
    source = f"spreadsheet {path}"
    with at_boundary(source, unreadable("not a readable .xlsx workbook")):
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        with at_boundary(source, unreadable("a sheet could not be read")):
            sheets: dict[str, list[tuple[Cell, ...]]] = {}
            for worksheet in workbook.worksheets:
                # Some programs write a wrong <dimension>; ignore it and read every row there is.
                worksheet.reset_dimensions()
                sheets[worksheet.title] = [
                    tuple(row) for row in worksheet.iter_rows(values_only=True)
                ]
            return sheets
    finally:
        workbook.close()


def _parse_csv(
    data: bytes, path: Path, settings: SpreadsheetSourceConfig
) -> dict[str, list[tuple[Cell, ...]]]:
    errors = csv_error(settings.encoding)
    with at_boundary(f"spreadsheet {path}", errors):
        text = data.decode(settings.encoding)
    delimiter = settings.delimiter or _sniff_delimiter(text)
    with at_boundary(f"spreadsheet {path}", errors):
        rows = [
            tuple(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    return {path.name: rows}


def _sniff_delimiter(text: str) -> str:
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;").delimiter
    except csv.Error:
        lines = sample.splitlines()[:50]
        semicolons = sum(line.count(";") for line in lines)
        commas = sum(line.count(",") for line in lines)
        return ";" if semicolons > commas else ","
