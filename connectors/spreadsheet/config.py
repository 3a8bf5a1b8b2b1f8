"""What a `spreadsheet` source and its bindings are configured with (the kind's spec)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from connectors.base import SourceConfig
from connectors.mapping import MappedBindingConfig

__all__ = [
    "Encoding",
    "FileFormat",
    "Scalar",
    "SpreadsheetBindingConfig",
    "SpreadsheetBudgetBindingConfig",
    "SpreadsheetSourceConfig",
]

FileFormat = Literal["xlsx", "csv"]
#: A value in `skip_rows_where`.
Scalar = str | int | float | None

_SUFFIXES: dict[str, FileFormat] = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".txt": "csv"}
Encoding = Literal["utf-8-sig", "utf-8", "latin-1", "cp1252"]
_DEFAULT_ENCODING: Encoding = "utf-8-sig"


class SpreadsheetSourceConfig(SourceConfig):
    """A workbook (`.xlsx`) or a CSV file on a disk the hub can read."""

    connector: Literal["spreadsheet"] = "spreadsheet"
    path: Path = Field(
        description="The file; a relative path starts at the hub's configuration directory."
    )
    format: FileFormat | None = Field(
        default=None, description="xlsx or csv; by default taken from the file's suffix."
    )
    delimiter: Literal[",", ";", "\t", "|"] | None = Field(
        default=None, description="CSV only: the field separator; by default detected (, or ;)."
    )
    encoding: Encoding = Field(
        default=_DEFAULT_ENCODING,
        description="CSV only: the text encoding; Excel on Windows often writes latin-1/cp1252.",
    )

    @model_validator(mode="after")
    def _known_format(self) -> SpreadsheetSourceConfig:
        suffix = self.path.suffix.lower()
        if self.format is None and suffix not in _SUFFIXES:
            if suffix == ".xls":
                raise ValueError("an .xlsx or .csv file; save the old .xls workbook as .xlsx")
            raise ValueError(
                f"an .xlsx or .csv file, or `format: xlsx|csv`; found suffix '{suffix}'"
            )
        if self.file_format == "xlsx":
            if self.delimiter is not None:
                raise ValueError("no `delimiter` for an xlsx workbook (CSV files only)")
            if self.encoding != _DEFAULT_ENCODING:
                raise ValueError("no `encoding` for an xlsx workbook (CSV files only)")
        return self

    @property
    def file_format(self) -> FileFormat:
        return self.format or _SUFFIXES[self.path.suffix.lower()]


class SpreadsheetBindingConfig(MappedBindingConfig):
    """Which sheet holds a capability's rows, where its header is, and which rows count."""

    sheet: str | None = Field(
        default=None, description="xlsx only: the sheet's name; by default the first sheet."
    )
    header_row: int | None = Field(
        default=None, ge=1, description="The header's row number (1-based); by default 1."
    )
    header_contains: str | None = Field(
        default=None,
        min_length=1,
        description="Instead of `header_row`: the first row with a cell reading this text "
        "(case and accents ignored, e.g. CODIGO) is the header.",
    )
    stop_at_blank: bool = Field(
        default=True,
        description="The rows end at the first fully blank row after the data: trailing blank "
        "rows and footers such as TOTAL or 'Preparado por' below it are ignored.",
    )
    skip_rows_where: dict[str, Scalar | list[Scalar]] = Field(
        default_factory=dict,
        description="Skip a row when every named column holds the given value (or one of the "
        "listed values), e.g. {CODIGO: ''}; case and accents ignored.",
    )

    @model_validator(mode="after")
    def _one_header_rule(self) -> SpreadsheetBindingConfig:
        if self.header_row is not None and self.header_contains is not None:
            raise ValueError("either `header_row` or `header_contains`, not both")
        return self

    def columns_read(self) -> list[str]:
        """The columns this binding names: mapped source fields and skip conditions."""
        return [*self.source_fields(), *self.skip_rows_where]


class SpreadsheetBudgetBindingConfig(SpreadsheetBindingConfig):
    """A budget sheet: also its total row and the cell above the header with its cut-off."""

    total_rows_where: dict[str, Scalar | list[Scalar]] = Field(
        default_factory=dict,
        description="The workbook's total row, e.g. {CUENTA: TOTAL GENERAL} (case and accents "
        "ignored): not a program; its amounts are compared with the sum of the programs read, "
        "and a difference is shown. Found below the programs even past blank rows.",
    )
    cutoff_cell: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z]{1,3}[1-9][0-9]*$",
        description="The cell above the header holding the cut-off date, e.g. B3: a date, an "
        "Excel serial or a text such as 'Al 30/09/2026'. Every program takes it, and its year "
        "is the fiscal year of rows that name none.",
    )

    def columns_read(self) -> list[str]:
        return [*super().columns_read(), *self.total_rows_where]
