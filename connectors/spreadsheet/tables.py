"""A sheet's cells as a table: where its header is, which rows are records.

Treasurers' workbooks have a merged title, a subtitle, blank rows, then the header; two
blank rows and a "Preparado por" line at the bottom. A binding's layout (`header_row` or
`header_contains`, `stop_at_blank`, `skip_rows_where`) says which rows count.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from connectors import convert
from connectors.errors import UpstreamError
from connectors.spreadsheet.config import Scalar, SpreadsheetBindingConfig
from connectors.text import fold
from words import Message

__all__ = [
    "Cell",
    "Layout",
    "Table",
    "blank",
    "folded",
    "guess_header",
    "header_names",
    "header_row_index",
    "normalise_header",
    "table_of",
]

Cell = Any
#: How many rows `check()` looks at to guess a header row when no binding says where it is.
_HEADER_GUESS_ROWS = 30
_NO_HEADER = Message("sources", "The municipality's spreadsheet does not have the expected header.")


def normalise_header(value: Cell) -> str:
    """A header cell as mappings name it: trimmed, inner spaces and line breaks collapsed.

    Accents and case are kept (a mapping says `Código`); Unicode is composed (NFC) so a
    file saved on a Mac matches a YAML file typed on Windows.
    """
    if blank(value):
        return ""
    return " ".join(unicodedata.normalize("NFC", convert.to_text(value)).split())


@dataclasses.dataclass(frozen=True, slots=True)
class Table:
    """The rows of one sheet under one binding's layout: header cells to raw values."""

    sheet: str
    header_row: int
    headers: tuple[str, ...]
    #: (row number as the treasurer sees it, raw values by header)
    rows: tuple[tuple[int, Mapping[str, Cell]], ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Layout:
    sheet: str | None
    header_row: int | None
    header_contains: str | None
    stop_at_blank: bool
    skip_rows_where: tuple[tuple[str, frozenset[str]], ...]

    @classmethod
    def of(cls, config: SpreadsheetBindingConfig) -> Layout:
        skip = tuple(
            (
                name,
                frozenset(folded(v) for v in (values if isinstance(values, list) else [values])),
            )
            for name, values in config.skip_rows_where.items()
        )
        return cls(
            config.sheet, config.header_row, config.header_contains, config.stop_at_blank, skip
        )


def blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def folded(value: Scalar) -> str:
    return "" if blank(value) else fold(convert.to_text(value))


def header_names(cells: Sequence[Cell]) -> list[str]:
    """Normalised header names; a repeated name gets " (2)", " (3)"… so that none is lost."""
    names: list[str] = []
    for cell in cells:
        name = normalise_header(cell)
        if name and name in names:
            count = 2
            while f"{name} ({count})" in names:
                count += 1
            name = f"{name} ({count})"
        names.append(name)
    return names


def header_row_index(cells: Sequence[Sequence[Cell]], layout: Layout, sheet: str) -> int:
    """The 0-based index of the header row, or an `UpstreamError` saying why not."""
    if layout.header_contains is not None:
        wanted = fold(layout.header_contains)
        for index, row in enumerate(cells):
            if any(not blank(cell) and fold(convert.to_text(cell)) == wanted for cell in row):
                return index
        raise UpstreamError(
            f"sheet '{sheet}': no row has a cell reading '{layout.header_contains}' "
            "(header_contains)",
            message=_NO_HEADER,
        )
    index = (layout.header_row or 1) - 1
    if index >= len(cells) or all(blank(cell) for cell in cells[index]):
        raise UpstreamError(
            f"sheet '{sheet}': header_row {index + 1} is blank or missing "
            f"(the sheet has {len(cells)} row(s))",
            message=_NO_HEADER,
        )
    return index


def guess_header(cells: Sequence[Sequence[Cell]]) -> int | None:
    """For `check()` without a binding: the first all-text row nearly as wide as the table.

    A merged title or a subtitle fills one cell; the header fills most columns.
    """
    head = cells[:_HEADER_GUESS_ROWS]
    widths = [sum(not blank(cell) for cell in row) for row in head]
    widest = max(widths, default=0)
    for index, (row, width) in enumerate(zip(head, widths, strict=True)):
        if width >= max(2, (widest * 3 + 3) // 4) and all(
            isinstance(cell, str) for cell in row if not blank(cell)
        ):
            return index
    return next((i for i, width in enumerate(widths) if width), None)


def table_of(cells: Sequence[Sequence[Cell]], sheet: str, layout: Layout) -> Table:
    header_index = header_row_index(cells, layout, sheet)
    headers = header_names(cells[header_index])
    columns = [(i, name) for i, name in enumerate(headers) if name]
    rows: list[tuple[int, Mapping[str, Cell]]] = []
    started = False
    for number, row in enumerate(cells[header_index + 1 :], start=header_index + 2):
        raw = {name: (row[i] if i < len(row) else None) for i, name in columns}
        if all(blank(value) for value in raw.values()):
            if started and layout.stop_at_blank:
                break
            continue  # blank rows between the header and the first record
        started = True
        if layout.skip_rows_where and all(
            folded(raw.get(name)) in values for name, values in layout.skip_rows_where
        ):
            continue
        rows.append((number, raw))
    return Table(sheet, header_index + 1, tuple(headers), tuple(rows))
