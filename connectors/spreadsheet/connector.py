"""The `spreadsheet` kind: serves a municipality's catalogue or directory from one file."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any, ClassVar

from connectors import convert
from connectors.base import Binding, Connector, ConnectorEnvironment, HealthReport, SourceConfig
from connectors.budget import ROW_KIND
from connectors.errors import ConnectorConfigError, ConnectorError, UpstreamError
from connectors.mapping import MappedBindingConfig
from connectors.spreadsheet.budget import map_budget
from connectors.spreadsheet.config import (
    SpreadsheetBindingConfig,
    SpreadsheetBudgetBindingConfig,
    SpreadsheetSourceConfig,
)
from connectors.spreadsheet.files import Workbook, current_version, read_workbook
from connectors.spreadsheet.records import Mapped, copied, map_rows, require_columns
from connectors.spreadsheet.tables import (
    Layout,
    Table,
    blank,
    guess_header,
    header_names,
    header_row_index,
    table_of,
)
from connectors.types import Capability, Record, RecordKey
from words import Message

__all__ = ["SpreadsheetConnector"]


class SpreadsheetConnector(Connector):
    """Serves one municipality's catalogue or directory from a workbook or CSV file.

    Read-only: a spreadsheet source never writes. `parse_count` counts actual file reads
    (an unchanged file is served from memory).
    """

    kind: ClassVar[str] = "spreadsheet"
    config_model: ClassVar[type[SourceConfig]] = SpreadsheetSourceConfig
    binding_model: ClassVar[type[SpreadsheetBindingConfig]] = SpreadsheetBindingConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.SERVICES, Capability.DEPARTMENTS, Capability.BUDGET, Capability.WORKS}
    )
    multi_tenant: ClassVar[bool] = False
    #: Capabilities whose sheets need more than `SpreadsheetBindingConfig` says.
    _BINDING_MODELS: ClassVar[dict[Capability, type[SpreadsheetBindingConfig]]] = {
        Capability.BUDGET: SpreadsheetBudgetBindingConfig,
    }

    @classmethod
    def binding_model_for(cls, capability: Capability) -> type[SpreadsheetBindingConfig]:
        return cls._BINDING_MODELS.get(capability, cls.binding_model)

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
        self._workbook: Workbook | None = None
        self._mapped: dict[str, Mapped] = {}
        self._seen: dict[str, Binding] = {}

    # -- the contract ----------------------------------------------------------------------

    def bind(self, binding: Binding) -> None:
        """Note a binding served, so that `check()` (and `check-config --probe`) probes it
        from the start: its header, its columns, each row it cannot read."""
        config = self._binding_config(binding)
        identity = f"{binding.municipality_id}|{binding.capability}|{config.model_dump_json()}"
        with self._lock:
            self._seen.setdefault(identity, binding)

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
            "problems": [p.internal_message for p in mapped.problems[:10]],
        }
        if mapped.problems:
            message = mapped.problems[0].error(len(mapped.problems) - 1).internal_message
            return HealthReport(ok=False, message=message, details=details)
        records = sum(ROW_KIND not in r for r in mapped.records)  # a budget's markers apart
        return HealthReport(
            ok=True, message=f"{records} record(s) in '{table.sheet}'", details=details
        )

    async def fetch_many(self, binding: Binding, keys: Sequence[RecordKey]) -> list[Record | None]:
        if not keys:
            return []
        if all(municipality_id != binding.municipality_id for municipality_id, _ in keys):
            return [None] * len(keys)
        mapped = await asyncio.to_thread(self._map, binding)
        by_id: dict[str, Record] = {}
        for row in mapped.records:
            if "id" in row:  # a budget's rows have none: it is read whole (`list_for`)
                by_id.setdefault(str(row["id"]), row)
        found: list[Record | None] = []
        for municipality_id, record_id in keys:
            record = by_id.get(record_id) if municipality_id == binding.municipality_id else None
            if record is None and municipality_id == binding.municipality_id and mapped.problems:
                # The key may be the row that could not be read: an error, not a wrong None.
                raise mapped.problems[0].error(len(mapped.problems) - 1)
            found.append(None if record is None else copied(record))
        return found

    async def list_for(
        self, binding: Binding, municipality_ids: Sequence[str]
    ) -> list[list[Record]]:
        if binding.municipality_id not in municipality_ids:
            return [[] for _ in municipality_ids]
        mapped = await asyncio.to_thread(self._map, binding)
        # A budget reports the rows it skipped beside its programs (`connectors.budget`).
        if mapped.problems and binding.capability is not Capability.BUDGET:
            raise mapped.problems[0].error(len(mapped.problems) - 1)
        return [
            [copied(r) for r in mapped.records]
            if municipality_id == binding.municipality_id
            else []
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

    def _map(self, binding: Binding, with_records: bool = True) -> Mapped:
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
            table = table_of(workbook.sheets[sheet], sheet, self._layout(binding))
            if not with_records:
                return Mapped(workbook.version, table, (), ())
            require_columns(binding, config, table, self.path.name)
            if isinstance(config, SpreadsheetBudgetBindingConfig):
                mapped = map_budget(
                    binding, config, workbook.sheets[sheet], table, workbook.version, self.path.name
                )
            else:
                mapped = map_rows(binding, table, workbook.version, self.path.name)
            self._mapped[identity] = mapped
            return mapped

    def _bindings_seen(self) -> list[Binding]:
        with self._lock:
            return list(self._seen.values())

    def _describe(self) -> dict[str, Any]:
        with self._lock:
            workbook = self._load_locked()
            layouts: dict[str, Layout] = {}
            for binding in self._seen.values():
                try:
                    layouts[self._sheet_of(workbook, binding)] = self._layout(binding)
                except ConnectorError:
                    continue  # check_binding reports it
        sheets: dict[str, list[str]] = {}
        header_rows: dict[str, int | None] = {}
        samples: dict[str, list[list[str]]] = {}
        for name, cells in workbook.sheets.items():
            layout = layouts.get(name)
            try:
                row = (
                    guess_header(cells) if layout is None else header_row_index(cells, layout, name)
                )
            except UpstreamError:
                row = None
            header_rows[name] = None if row is None else row + 1
            sheets[name] = [] if row is None else [h for h in header_names(cells[row]) if h]
            if row is not None:
                samples[name] = _samples(cells, row)
        return {
            "file": self.path.name,
            "format": self.settings.file_format,
            "sheets": sheets,
            "header_rows": header_rows,
            "sample_rows": samples,
        }

    def _load_locked(self) -> Workbook:
        version = current_version(self.path)
        if self._workbook is not None and self._workbook.version == version:
            return self._workbook
        workbook = read_workbook(self.path, self.settings, version)
        self.parse_count += 1
        self._workbook = workbook
        self._mapped.clear()
        return workbook

    def _binding_config(self, binding: Binding) -> SpreadsheetBindingConfig:
        config = binding.config
        model = self.binding_model_for(binding.capability)
        if isinstance(config, model):
            return config
        if isinstance(config, MappedBindingConfig):
            return model.model_validate(config.model_dump(by_alias=True))
        return model(source=config.source)

    def _layout(self, binding: Binding) -> Layout:
        return Layout.of(self._binding_config(binding))

    def _sheet_of(self, workbook: Workbook, binding: Binding) -> str:
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
                message=Message(
                    "sources", "The municipality's spreadsheet does not have the expected sheet."
                ),
            )
        return wanted


#: Rows below a header that `check()` shows, so that an integrator can write the mapping.
_SAMPLE_ROWS = 3


def _samples(cells: Sequence[Sequence[Any]], header: int) -> list[list[str]]:
    """The first non-blank rows under the header, each cell as text (blank as '')."""
    rows: list[list[str]] = []
    for row in cells[header + 1 :]:
        if len(rows) == _SAMPLE_ROWS:
            break
        if all(blank(cell) for cell in row):
            continue
        rows.append(["" if blank(cell) else convert.to_text(cell) for cell in row])
    return rows
