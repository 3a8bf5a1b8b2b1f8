"""A table's rows mapped onto records, with the rows that could not be mapped kept apart."""

from __future__ import annotations

import dataclasses
from typing import Any

from openpyxl.utils.cell import get_column_letter

from connectors.base import Binding
from connectors.errors import ConnectorConfigError, MappingError
from connectors.mapping import RecordMapper
from connectors.spreadsheet.config import SpreadsheetBindingConfig
from connectors.spreadsheet.files import Version
from connectors.spreadsheet.tables import Table
from connectors.text import fold
from connectors.types import Record
from words import Message

__all__ = ["Mapped", "Problem", "cell_of", "copied", "map_rows", "place_of", "require_columns"]


@dataclasses.dataclass(frozen=True, slots=True)
class Problem:
    """A mapping error kept with the cached rows; raised afresh on each call."""

    internal_message: str
    message: Message
    field: str
    source_field: str
    value: str
    #: The row as the treasurer sees it (0 where not known).
    row: int = 0

    def error(self, more: int = 0) -> MappingError:
        suffix = f" (and {more} more row(s) with problems)" if more else ""
        return MappingError(
            self.internal_message + suffix,
            message=self.message,
            field=self.field,
            source_field=self.source_field,
            value=self.value,
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Mapped:
    version: Version
    table: Table
    records: tuple[Record, ...]
    problems: tuple[Problem, ...]


def require_columns(
    binding: Binding, config: SpreadsheetBindingConfig, table: Table, file_name: str
) -> None:
    """A mapping that names a column the sheet lacks fails here, naming column and sheet."""
    present = {h for h in table.headers if h}
    folded = {fold(h): h for h in present}
    targets = {
        (ref if isinstance(ref, str) else ref.source): target
        for target, ref in config.fields.items()
        if isinstance(ref, str) or ref.source is not None
    }
    for column in config.columns_read():
        if column in present:
            continue
        target = targets.get(column, "skip_rows_where")
        near = folded.get(fold(column))
        hint = f"; did you mean '{near}'?" if near else ""
        where = f"{binding.municipality_id}/{binding.config.source}"
        raise MappingError(
            f"{where}: field '{target}' reads column '{column}', which is not in sheet "
            f"'{table.sheet}' of {file_name} (header row {table.header_row}: "
            f"{', '.join(repr(h) for h in table.headers if h)}){hint}",
            message=Message(
                "sources",
                "The spreadsheet of %(municipality)s (%(source)s) does not have the column "
                "'%(column)s'.",
                {
                    "municipality": binding.municipality_id,
                    "source": binding.config.source,
                    "column": column,
                },
            ),
            field=target,
            source_field=column,
        )


def cell_of(table: Table, column: str, row: int) -> str | None:
    """The cell reference (e.g. F6) of `column` in sheet row `row`; None for no such column."""
    if column not in table.headers:
        return None
    return f"{get_column_letter(table.headers.index(column) + 1)}{row}"


def place_of(table: Table, number: int, column: str, file_name: str | None) -> str:
    """Where a value is, as a treasurer finds it: file, sheet, row and cell."""
    cell = cell_of(table, column, number)
    return (
        (f"file {file_name}, " if file_name else "")
        + f"sheet '{table.sheet}', row {number}"
        + (f", cell {cell}" if cell else "")
    )


def map_rows(
    binding: Binding, table: Table, version: Version, file_name: str | None = None
) -> Mapped:
    try:
        mapper = RecordMapper(binding)
    except LookupError as exc:  # an unknown hook: check-config normally catches it first
        raise ConnectorConfigError(
            f"{binding.municipality_id}/{binding.config.source}: {exc}"
        ) from exc
    where = f"{binding.municipality_id}/{binding.config.source}"
    records: list[Record] = []
    problems: list[Problem] = []
    for number, raw in table.rows:
        try:
            records.append(mapper.map(raw))
        except MappingError as exc:
            message = exc.internal_message
            if not message.startswith(f"{where}:"):
                message = f"{where}: {message}"
            key = f"bindings.{binding.capability.value}.fields.{exc.field}"
            place = place_of(table, number, exc.source_field, file_name)
            problems.append(
                Problem(
                    f"{message}; {key} ({place})",
                    exc.message,
                    exc.field,
                    exc.source_field,
                    exc.value,
                    number,
                )
            )
    return Mapped(version, table, tuple(records), tuple(problems))


def copied(record: Record) -> dict[str, Any]:
    """A copy callers may change without touching the cached rows (lists included)."""
    return {k: list(v) if isinstance(v, list) else v for k, v in record.items()}
