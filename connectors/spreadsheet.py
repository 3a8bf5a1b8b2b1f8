"""The `spreadsheet` connector: `.xlsx` workbooks and `.csv` files as treasurers keep them.

A small junta's catalogue often lives in a workbook on the treasurer's computer: a merged
title row, a subtitle with a date, a blank row, then the header; fees as text
("RD$ 1.234.567,50"), dates as Excel serials, "Sí"/"No" flags, two blank rows and a
"Preparado por" line at the bottom. A binding names the sheet and where its header is;
the declarative mapping (`connectors.mapping`) does the rest.

Reading is read-only and whole-file: each call stats the file and, when its
(mtime_ns, size) changed since the last read, reads every sheet once in a worker thread
and keeps the parsed cells in memory. A treasurer who saves a new version is seen on the
next call, with no restart. Errors follow the tree in `connectors.errors`:

- the file is missing, unreadable or changing while read → `TransientError` (it may be
  mid-copy from a USB stick or a shared folder); so is a file that fails to parse less
  than 10 s after it last changed;
- a settled file that is not a workbook / not text in the declared encoding, a sheet or
  a header row that is not there → `UpstreamError`;
- a mapping names a column the sheet lacks, or a value cannot be converted →
  `MappingError` naming the field, the column, the sheet and the row.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import threading
import time
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

import openpyxl  # type: ignore[import-untyped,unused-ignore]
from pydantic import Field, model_validator

from connectors import convert
from connectors.base import Binding, Connector, ConnectorEnvironment, HealthReport, SourceConfig
from connectors.errors import (
    ConnectorConfigError,
    ConnectorError,
    MappingError,
    TransientError,
    UpstreamError,
)
from connectors.hooks import record_hook
from connectors.mapping import MappedBindingConfig, RecordMapper
from connectors.text import fold
from connectors.types import Capability, Record, RecordKey

__all__ = [
    "SpreadsheetBindingConfig",
    "SpreadsheetConnector",
    "SpreadsheetSourceConfig",
    "Table",
    "channels_from_online_flag",
    "normalise_header",
]

FileFormat = Literal["xlsx", "csv"]
Cell = Any
Scalar = str | int | float | None

_SUFFIXES: dict[str, FileFormat] = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".txt": "csv"}
Encoding = Literal["utf-8-sig", "utf-8", "latin-1", "cp1252"]
_DEFAULT_ENCODING: Encoding = "utf-8-sig"
#: How many rows `check()` looks at to guess a header row when no binding says where it is.
_HEADER_GUESS_ROWS = 30
#: A file that fails to parse within this long of its last change is taken as still being
#: copied (a transient condition), not as corrupt.
_SETTLING_NS = 10 * 1_000_000_000


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


def normalise_header(value: Cell) -> str:
    """A header cell as mappings name it: trimmed, inner spaces and line breaks collapsed.

    Accents and case are kept (a mapping says `Código`); Unicode is composed (NFC) so a
    file saved on a Mac matches a YAML file typed on Windows.
    """
    if _blank(value):
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


@record_hook("channels_from_online_flag")
def channels_from_online_flag(raw: Mapping[str, Any], record: dict[str, Any]) -> Mapping[str, Any]:
    """Channels from Sí/No columns: always `presencial`; `en_linea` when "En línea" says Sí,
    `telefono` when an optional "Por teléfono" column says Sí.

    Column names are matched ignoring case and accents ("EN LINEA", "En línea").
    """
    columns = {fold(str(name)): name for name in raw}
    online = columns.get("en linea")
    if online is None:
        raise MappingError(
            "field 'channels' (hook channels_from_online_flag): expected a column 'En línea' "
            f"(Sí/No), found only {sorted(map(str, raw))}",
            field="channels",
            source_field="En línea",
        )
    channels = ["presencial"]
    for column, channel in ((online, "en_linea"), (columns.get("por telefono"), "telefono")):
        if column is None or _blank(raw[column]):
            continue
        try:
            if convert.to_bool(raw[column]):
                channels.append(channel)
        except ValueError:
            shown = repr(raw[column])[:60]
            raise MappingError(
                f"field 'channels' from '{column}': expected Sí/No, found {shown}",
                field="channels",
                source_field=str(column),
                value=shown,
            ) from None
    record["channels"] = channels
    return record


@dataclasses.dataclass(frozen=True, slots=True)
class _Version:
    """What tells one saved version of the file from the next."""

    mtime_ns: int
    size: int

    @classmethod
    def of(cls, path: Path) -> _Version:
        stat = path.stat()
        return cls(stat.st_mtime_ns, stat.st_size)


@dataclasses.dataclass(frozen=True, slots=True)
class _Workbook:
    version: _Version
    #: Sheet name → its rows of cells, in the file's order (a CSV file is one sheet).
    sheets: Mapping[str, Sequence[Sequence[Cell]]]


@dataclasses.dataclass(frozen=True, slots=True)
class _Layout:
    sheet: str | None
    header_row: int | None
    header_contains: str | None
    stop_at_blank: bool
    skip_rows_where: tuple[tuple[str, frozenset[str]], ...]

    @classmethod
    def of(cls, config: SpreadsheetBindingConfig) -> _Layout:
        skip = tuple(
            (
                name,
                frozenset(_folded(v) for v in (values if isinstance(values, list) else [values])),
            )
            for name, values in config.skip_rows_where.items()
        )
        return cls(
            config.sheet, config.header_row, config.header_contains, config.stop_at_blank, skip
        )


@dataclasses.dataclass(frozen=True, slots=True)
class _Problem:
    """A mapping error kept with the cached rows; raised afresh on each call."""

    message: str
    user_message: str
    field: str
    source_field: str
    value: str

    def error(self, more: int = 0) -> MappingError:
        suffix = f" (and {more} more row(s) with problems)" if more else ""
        return MappingError(
            self.message + suffix,
            user_message=self.user_message,
            field=self.field,
            source_field=self.source_field,
            value=self.value,
        )


@dataclasses.dataclass(frozen=True, slots=True)
class _Mapped:
    version: _Version
    table: Table
    records: tuple[Record, ...]
    problems: tuple[_Problem, ...]


class SpreadsheetConnector(Connector):
    """Serves one municipality's catalogue or directory from a workbook or CSV file.

    Read-only: a spreadsheet source never writes. `parse_count` counts actual file reads
    (an unchanged file is served from memory).
    """

    kind: ClassVar[str] = "spreadsheet"
    config_model: ClassVar[type[SourceConfig]] = SpreadsheetSourceConfig
    binding_model: ClassVar[type[SpreadsheetBindingConfig]] = SpreadsheetBindingConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.SERVICES, Capability.DEPARTMENTS}
    )
    multi_tenant: ClassVar[bool] = False

    def __init__(self, config: SourceConfig, environment: ConnectorEnvironment) -> None:
        if not isinstance(config, SpreadsheetSourceConfig):
            raise ConnectorConfigError(
                f"spreadsheet: expected a SpreadsheetSourceConfig, found {type(config).__name__}"
            )
        super().__init__(config, environment)
        self.settings = config
        path = config.path.expanduser()
        self.path = path if path.is_absolute() else environment.config_dir / path
        self.parse_count = 0
        # Guards the caches: calls run in worker threads and may overlap.
        self._lock = threading.Lock()
        self._workbook: _Workbook | None = None
        self._mapped: dict[str, _Mapped] = {}
        self._seen: dict[str, Binding] = {}

    # -- the contract ----------------------------------------------------------------------

    async def check(self) -> HealthReport:
        """Read the file; report its sheets' headers and the bindings served so far.

        `details["sheets"]` maps each sheet to its header cells, found where a binding of
        that sheet says, else guessed (the first all-text row about as wide as the table).
        """
        try:
            details = await asyncio.to_thread(self._describe)
            problems = [
                report.message
                for report in [await self.check_binding(b) for b in self._bindings_seen()]
                if not report.ok
            ]
        except ConnectorError as exc:
            return HealthReport(ok=False, message=exc.internal_message)
        if problems:
            return HealthReport(ok=False, message=problems[0], details=details)
        sheets = len(details["sheets"])
        return HealthReport(
            ok=True, message=f"{self.path.name}: {sheets} sheet(s) readable", details=details
        )

    async def check_binding(self, binding: Binding) -> HealthReport:
        """Probe one binding: its sheet and header are found, its columns exist, every row maps.

        For `check-config --probe`: it reports, never raises, for a file that cannot be read.
        """
        try:
            mapped = await asyncio.to_thread(self._map, binding)
        except ConnectorError as exc:
            return HealthReport(ok=False, message=exc.internal_message)
        table = mapped.table
        details = {
            "sheet": table.sheet,
            "header_row": table.header_row,
            "headers": [h for h in table.headers if h],
            "rows": len(table.rows),
            "problems": [p.message for p in mapped.problems[:10]],
        }
        if mapped.problems:
            message = mapped.problems[0].error(len(mapped.problems) - 1).internal_message
            return HealthReport(ok=False, message=message, details=details)
        return HealthReport(
            ok=True, message=f"{len(mapped.records)} record(s) in '{table.sheet}'", details=details
        )

    async def fetch_many(self, binding: Binding, keys: Sequence[RecordKey]) -> list[Record | None]:
        if not keys:
            return []
        if all(municipality_id != binding.municipality_id for municipality_id, _ in keys):
            return [None] * len(keys)
        mapped = await asyncio.to_thread(self._map, binding)
        by_id: dict[str, Record] = {}
        for row in mapped.records:
            by_id.setdefault(str(row["id"]), row)
        found: list[Record | None] = []
        for municipality_id, record_id in keys:
            record = by_id.get(record_id) if municipality_id == binding.municipality_id else None
            if record is None and municipality_id == binding.municipality_id and mapped.problems:
                # The key may be the row that could not be read: an error, not a wrong None.
                raise mapped.problems[0].error(len(mapped.problems) - 1)
            found.append(None if record is None else _copy(record))
        return found

    async def list_for(
        self, binding: Binding, municipality_ids: Sequence[str]
    ) -> list[list[Record]]:
        if binding.municipality_id not in municipality_ids:
            return [[] for _ in municipality_ids]
        mapped = await asyncio.to_thread(self._map, binding)
        if mapped.problems:
            raise mapped.problems[0].error(len(mapped.problems) - 1)
        return [
            [_copy(r) for r in mapped.records] if municipality_id == binding.municipality_id else []
            for municipality_id in municipality_ids
        ]

    async def close(self) -> None:
        # No lock: a worker thread may hold it for a long read; dropping references is enough.
        self._workbook = None
        self._mapped = {}

    # -- reading, for probes and tests -------------------------------------------------------

    async def table(self, binding: Binding) -> Table:
        """The binding's raw rows (header → cell value) before mapping."""
        return (await asyncio.to_thread(self._map, binding, False)).table

    # -- internals (run in a worker thread) --------------------------------------------------

    def _map(self, binding: Binding, with_records: bool = True) -> _Mapped:
        config = self._binding_config(binding)
        identity = f"{binding.municipality_id}|{binding.capability}|{config.model_dump_json()}"
        with self._lock:
            if with_records:  # a binding served (not a raw look): check() re-probes it
                self._seen.setdefault(identity, binding)
            workbook = self._load_locked()
            cached = self._mapped.get(identity)
            if cached is not None and cached.version == workbook.version:
                return cached
            sheet = self._sheet_of(workbook, binding)
            table = _table(workbook.sheets[sheet], sheet, self._layout(binding))
            if not with_records:
                return _Mapped(workbook.version, table, (), ())
            _require_columns(binding, config, table, self.path.name)
            mapped = _map_rows(binding, table, workbook.version)
            self._mapped[identity] = mapped
            return mapped

    def _bindings_seen(self) -> list[Binding]:
        with self._lock:
            return list(self._seen.values())

    def _describe(self) -> dict[str, Any]:
        with self._lock:
            workbook = self._load_locked()
            layouts: dict[str, _Layout] = {}
            for binding in self._seen.values():
                try:
                    layouts[self._sheet_of(workbook, binding)] = self._layout(binding)
                except ConnectorError:
                    continue  # check_binding reports it
        sheets: dict[str, list[str]] = {}
        header_rows: dict[str, int | None] = {}
        for name, cells in workbook.sheets.items():
            layout = layouts.get(name)
            try:
                row = _guess_header(cells) if layout is None else _header_index(cells, layout, name)
            except UpstreamError:
                row = None
            header_rows[name] = None if row is None else row + 1
            sheets[name] = [] if row is None else [h for h in _headers(cells[row]) if h]
        return {
            "file": self.path.name,
            "format": self.settings.file_format,
            "sheets": sheets,
            "header_rows": header_rows,
        }

    def _load_locked(self) -> _Workbook:
        try:
            version = _Version.of(self.path)
            if self._workbook is not None and self._workbook.version == version:
                return self._workbook
            # Read the bytes, then check the file did not change meanwhile (a copy in progress).
            for _ in range(3):
                data = self.path.read_bytes()
                after = _Version.of(self.path)
                if after == version and len(data) == version.size:
                    break
                version = after
            else:
                raise TransientError(
                    f"spreadsheet {self.path}: the file kept changing while being read"
                )
        except FileNotFoundError as exc:
            raise TransientError(f"spreadsheet {self.path}: file not found") from exc
        except OSError as exc:
            raise TransientError(
                f"spreadsheet {self.path}: cannot read the file: {type(exc).__name__}: {exc}"
            ) from exc
        try:
            if self.settings.file_format == "xlsx":
                sheets = _parse_xlsx(data, self.path)
            else:
                sheets = _parse_csv(data, self.path, self.settings)
        except UpstreamError as exc:
            if time.time_ns() - version.mtime_ns < _SETTLING_NS:
                raise TransientError(
                    f"{exc.internal_message} (changed moments ago: it may still be being copied)"
                ) from exc
            raise
        self.parse_count += 1
        self._workbook = _Workbook(version, sheets)
        self._mapped.clear()
        return self._workbook

    def _binding_config(self, binding: Binding) -> SpreadsheetBindingConfig:
        config = binding.config
        if isinstance(config, SpreadsheetBindingConfig):
            return config
        if isinstance(config, MappedBindingConfig):
            return SpreadsheetBindingConfig.model_validate(config.model_dump(by_alias=True))
        return SpreadsheetBindingConfig(source=config.source)

    def _layout(self, binding: Binding) -> _Layout:
        return _Layout.of(self._binding_config(binding))

    def _sheet_of(self, workbook: _Workbook, binding: Binding) -> str:
        wanted = self._binding_config(binding).sheet
        names = list(workbook.sheets)
        if self.settings.file_format == "csv":
            if wanted is not None:
                raise ConnectorConfigError(
                    f"{binding.municipality_id}/{binding.config.source}: `sheet: {wanted}` "
                    f"given, but {self.path.name} is a CSV file, which has no sheets"
                )
            return names[0]
        if wanted is None:
            if not names:
                raise UpstreamError(f"spreadsheet {self.path}: the workbook has no sheets")
            return names[0]
        if wanted not in workbook.sheets:
            raise UpstreamError(
                f"spreadsheet {self.path}: no sheet '{wanted}'; its sheets are "
                f"{', '.join(repr(n) for n in names)}",
                user_message="La hoja de cálculo del ayuntamiento no tiene la hoja esperada.",
            )
        return wanted


def _parse_xlsx(data: bytes, path: Path) -> dict[str, list[tuple[Cell, ...]]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError, XML errors…
        raise UpstreamError(
            f"spreadsheet {path}: not a readable .xlsx workbook: {type(exc).__name__}: {exc}",
            user_message="La hoja de cálculo del ayuntamiento está dañada y no se pudo leer.",
        ) from exc
    try:
        sheets: dict[str, list[tuple[Cell, ...]]] = {}
        for worksheet in workbook.worksheets:
            # Some programs write a wrong <dimension>; ignore it and read every row there is.
            worksheet.reset_dimensions()
            sheets[worksheet.title] = [tuple(row) for row in worksheet.iter_rows(values_only=True)]
        return sheets
    except Exception as exc:
        raise UpstreamError(
            f"spreadsheet {path}: a sheet could not be read: {type(exc).__name__}: {exc}",
            user_message="La hoja de cálculo del ayuntamiento está dañada y no se pudo leer.",
        ) from exc
    finally:
        workbook.close()


def _parse_csv(
    data: bytes, path: Path, settings: SpreadsheetSourceConfig
) -> dict[str, list[tuple[Cell, ...]]]:
    try:
        text = data.decode(settings.encoding)
    except UnicodeDecodeError as exc:
        raise UpstreamError(
            f"spreadsheet {path}: not {settings.encoding} text at byte {exc.start}; "
            "set `encoding: latin-1` (or cp1252) on the source if Excel saved it",
            user_message="El archivo del ayuntamiento no se pudo leer.",
        ) from exc
    delimiter = settings.delimiter or _sniff_delimiter(text)
    try:
        rows = [
            tuple(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise UpstreamError(
            f"spreadsheet {path}: not a readable CSV file: {exc}",
            user_message="El archivo del ayuntamiento está dañado y no se pudo leer.",
        ) from exc
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


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _folded(value: Scalar) -> str:
    return "" if _blank(value) else fold(convert.to_text(value))


def _headers(cells: Sequence[Cell]) -> list[str]:
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


def _header_index(cells: Sequence[Sequence[Cell]], layout: _Layout, sheet: str) -> int:
    """The 0-based index of the header row, or an `UpstreamError` saying why not."""
    if layout.header_contains is not None:
        wanted = fold(layout.header_contains)
        for index, row in enumerate(cells):
            if any(not _blank(cell) and fold(convert.to_text(cell)) == wanted for cell in row):
                return index
        raise UpstreamError(
            f"sheet '{sheet}': no row has a cell reading '{layout.header_contains}' "
            "(header_contains)",
            user_message="La hoja de cálculo del ayuntamiento no tiene el encabezado esperado.",
        )
    index = (layout.header_row or 1) - 1
    if index >= len(cells) or all(_blank(cell) for cell in cells[index]):
        raise UpstreamError(
            f"sheet '{sheet}': header_row {index + 1} is blank or missing "
            f"(the sheet has {len(cells)} row(s))",
            user_message="La hoja de cálculo del ayuntamiento no tiene el encabezado esperado.",
        )
    return index


def _guess_header(cells: Sequence[Sequence[Cell]]) -> int | None:
    """For `check()` without a binding: the first all-text row nearly as wide as the table.

    A merged title or a subtitle fills one cell; the header fills most columns.
    """
    head = cells[:_HEADER_GUESS_ROWS]
    widths = [sum(not _blank(cell) for cell in row) for row in head]
    widest = max(widths, default=0)
    for index, (row, width) in enumerate(zip(head, widths, strict=True)):
        if width >= max(2, (widest * 3 + 3) // 4) and all(
            isinstance(cell, str) for cell in row if not _blank(cell)
        ):
            return index
    return next((i for i, width in enumerate(widths) if width), None)


def _table(cells: Sequence[Sequence[Cell]], sheet: str, layout: _Layout) -> Table:
    header_index = _header_index(cells, layout, sheet)
    headers = _headers(cells[header_index])
    columns = [(i, name) for i, name in enumerate(headers) if name]
    rows: list[tuple[int, Mapping[str, Cell]]] = []
    started = False
    for number, row in enumerate(cells[header_index + 1 :], start=header_index + 2):
        raw = {name: (row[i] if i < len(row) else None) for i, name in columns}
        if all(_blank(value) for value in raw.values()):
            if started and layout.stop_at_blank:
                break
            continue  # blank rows between the header and the first record
        started = True
        if layout.skip_rows_where and all(
            _folded(raw.get(name)) in values for name, values in layout.skip_rows_where
        ):
            continue
        rows.append((number, raw))
    return Table(sheet, header_index + 1, tuple(headers), tuple(rows))


def _require_columns(
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
            user_message=(
                f"La hoja de cálculo de {binding.municipality_id} ({binding.config.source}) "
                f"no tiene la columna '{column}'."
            ),
            field=target,
            source_field=column,
        )


def _map_rows(binding: Binding, table: Table, version: _Version) -> _Mapped:
    try:
        mapper = RecordMapper(binding)
    except LookupError as exc:  # an unknown hook: check-config normally catches it first
        raise ConnectorConfigError(
            f"{binding.municipality_id}/{binding.config.source}: {exc}"
        ) from exc
    where = f"{binding.municipality_id}/{binding.config.source}"
    records: list[Record] = []
    problems: list[_Problem] = []
    for number, raw in table.rows:
        try:
            records.append(mapper.map(raw))
        except MappingError as exc:
            message = exc.internal_message
            if not message.startswith(f"{where}:"):
                message = f"{where}: {message}"
            problems.append(
                _Problem(
                    f"{message} (sheet '{table.sheet}', row {number})",
                    exc.user_message,
                    exc.field,
                    exc.source_field,
                    exc.value,
                )
            )
    return _Mapped(version, table, tuple(records), tuple(problems))


def _copy(record: Record) -> dict[str, Any]:
    """A copy callers may change without touching the cached rows (lists included)."""
    return {k: list(v) if isinstance(v, list) else v for k, v in record.items()}
