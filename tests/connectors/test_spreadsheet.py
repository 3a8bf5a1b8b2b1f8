"""The `spreadsheet` connector on real files: the demo workbooks and CSV, written to tmp_path.

The bindings below are the YAML a municipality file carries; they go through the real
config loader and `Federation`, so what is tested is what an integrator writes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped,unused-ignore]
import pytest
import yaml
from pydantic import ValidationError

from connectors import (
    Binding,
    Capability,
    ConnectorEnvironment,
    Federation,
    MappingError,
    RecordKey,
    TransientError,
    UpstreamError,
    load_directory,
)
from connectors.convert import to_date
from connectors.hooks import get_hook
from connectors.spreadsheet import (
    SpreadsheetBindingConfig,
    SpreadsheetConnector,
    SpreadsheetSourceConfig,
    normalise_header,
)
from demo import budgets, catalogue, workbooks
from tests.connectors.conformance import ConnectorConformance
from tests.fixtures import MUNICIPALITIES_DIR

VERON = "veron-punta-cana"
CABARETE = "cabarete"
LA_VEGA = "la-vega"

# -- the bindings, as in config/municipalities/<id>.yaml -------------------------------------

VERON_YAML = """
sources:
  hub:
    connector: native
  catalogo:
    connector: spreadsheet
    path: demo/workbooks/veron-punta-cana-catalogo-2026.xlsx
bindings:
  services:
    source: catalogo
    sheet: Catálogo de servicios 2026
    header_row: 4
    cache_ttl_seconds: 300
    fields:
      id: Código
      name: Servicio
      description: Descripción
      category:
        from: Área
        map: {URB: urbanismo, SAN: saneamiento, TRI: tributos, EPU: espacio_publico,
              CEM: cementerios, CER: certificaciones, MER: mercados, SOC: social}
      requirements: {from: Requisitos, separator: "\\n"}
      fee_amount: Tarifa (RD$)
      duration_days: Días
      legal_basis: Base legal
      department_id: Dependencia
    hook: channels_from_online_flag
  departments:
    source: catalogo
    sheet: Dependencias
    fields:
      id: Código
      name: Nombre
      head: Encargado
      phone: Teléfono
      email: Correo
      location: Ubicación
      hours: Horario
"""

CABARETE_YAML = """
sources:
  hub:
    connector: native
  tesoreria:
    connector: spreadsheet
    path: demo/workbooks/cabarete-servicios-tasas-2026.csv
    encoding: latin-1
bindings:
  services:
    source: tesoreria
    header_row: 2
    skip_rows_where: {CODIGO: ""}
    fields:
      id: CODIGO
      name: SERVICIO
      description: DESCRIPCION
      category:
        from: CATEGORIA
        map: {Urbanismo: urbanismo, Saneamiento: saneamiento, Tributos: tributos,
              Espacio público: espacio_publico, Cementerios: cementerios,
              Certificaciones: certificaciones, Mercados: mercados,
              Asistencia social: social}
      requirements: REQUISITOS
      fee_amount: COSTO
      duration_days: DIAS
      legal_basis: BASE LEGAL
      department_id: DEPARTAMENTO
    hook: channels_from_online_flag
"""

LA_VEGA_YAML = """
sources:
  hub:
    connector: native
  directorio:
    connector: spreadsheet
    path: demo/workbooks/la-vega-directorio-dependencias.xlsx
bindings:
  services:
    source: hub
  departments:
    source: directorio
    sheet: Directorio
    header_contains: CODIGO
    fields:
      id: CÓDIGO
      name: DEPENDENCIA
      head: ENCARGADO(A)
      phone: TELÉFONO
      email: CORREO ELECTRÓNICO
      location: UBICACIÓN
      hours: HORARIO DE ATENCIÓN
"""

SNIPPETS = {VERON: VERON_YAML, CABARETE: CABARETE_YAML, LA_VEGA: LA_VEGA_YAML}


# -- fixtures ---------------------------------------------------------------------------------


def _environment(config_dir: Path) -> ConnectorEnvironment:
    return ConnectorEnvironment(f"sqlite+aiosqlite:///{config_dir / 'hub.db'}", config_dir)


@pytest.fixture
def demo_files(tmp_path: Path) -> dict[str, Path]:
    return workbooks.write_demo_workbooks(tmp_path / "demo" / "workbooks")


@pytest.fixture
async def federation(tmp_path: Path, demo_files: dict[str, Path]) -> AsyncIterator[Federation]:
    """The three governments with the snippets above, loaded by the real config loader."""
    directory = tmp_path / "municipalities"
    directory.mkdir()
    for municipality_id, snippet in SNIPPETS.items():
        data = yaml.safe_load((MUNICIPALITIES_DIR / f"{municipality_id}.yaml").read_text("utf-8"))
        data.update(yaml.safe_load(snippet))
        (directory / f"{municipality_id}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
        )
    federation = Federation(load_directory(directory), _environment(tmp_path))
    yield federation
    await federation.close()


def _placed(federation: Federation, municipality_id: str, capability: Capability) -> Any:
    placed = federation.binding(municipality_id, capability)
    assert placed is not None
    connector, binding = placed
    assert isinstance(connector, SpreadsheetConnector)
    return connector, binding


def _expected_services(municipality_id: str) -> list[dict[str, Any]]:
    return [
        {"municipality_id": municipality_id, **service}
        for service in catalogue.services(municipality_id)
    ]


def _expected_departments(municipality_id: str) -> list[dict[str, Any]]:
    return [
        {"municipality_id": municipality_id, **department}
        for department in catalogue.departments(municipality_id)
    ]


def _with_fields(binding: Binding, **fields: Any) -> Binding:
    """The same binding with some fields mapped differently."""
    config = binding.config
    assert isinstance(config, SpreadsheetBindingConfig)
    data = config.model_dump(by_alias=True, exclude_none=True)
    data["fields"] = {**data["fields"], **fields}
    return Binding(
        binding.municipality_id,
        binding.capability,
        SpreadsheetBindingConfig.model_validate(data),
    )


def _with_layout(binding: Binding, **changes: Any) -> Binding:
    config = binding.config
    assert isinstance(config, SpreadsheetBindingConfig)
    return Binding(binding.municipality_id, binding.capability, config.model_copy(update=changes))


def _touch_newer(path: Path, before: os.stat_result) -> None:
    """The file system clock may not tick between two writes in one test: make it."""
    after = path.stat()
    if (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size):
        os.utime(path, ns=(after.st_atime_ns, before.st_mtime_ns + 1_000_000_000))


# -- conformance, one class per layout --------------------------------------------------------


class TestVeronWorkbookConformance(ConnectorConformance):
    @pytest.fixture
    def connector(self, federation: Federation) -> SpreadsheetConnector:
        connector: SpreadsheetConnector = _placed(federation, VERON, Capability.SERVICES)[0]
        return connector

    @pytest.fixture
    def binding(self, federation: Federation) -> Binding:
        binding: Binding = _placed(federation, VERON, Capability.SERVICES)[1]
        return binding

    @pytest.fixture
    def known_keys(self) -> list[RecordKey]:
        return [
            (VERON, "permiso-evento-playa"),
            (VERON, "certificado-uso-suelo"),
            (VERON, "arrendamiento-nicho"),
        ]

    @pytest.fixture
    def known_municipalities(self) -> list[str]:
        return [VERON]

    @pytest.fixture
    def broken_connector(self, tmp_path: Path) -> SpreadsheetConnector:
        config = SpreadsheetSourceConfig(path=Path("demo/workbooks/no-such-file.xlsx"))
        return SpreadsheetConnector(config, _environment(tmp_path))


class TestCabareteCsvConformance(ConnectorConformance):
    @pytest.fixture
    def connector(self, federation: Federation) -> SpreadsheetConnector:
        connector: SpreadsheetConnector = _placed(federation, CABARETE, Capability.SERVICES)[0]
        return connector

    @pytest.fixture
    def binding(self, federation: Federation) -> Binding:
        binding: Binding = _placed(federation, CABARETE, Capability.SERVICES)[1]
        return binding

    @pytest.fixture
    def known_keys(self) -> list[RecordKey]:
        return [
            (CABARETE, "limpieza-solares"),
            (CABARETE, "permiso-evento-playa"),
            (CABARETE, "arbitrio-publicidad"),
        ]

    @pytest.fixture
    def known_municipalities(self) -> list[str]:
        return [CABARETE]

    @pytest.fixture
    def broken_connector(self, tmp_path: Path) -> SpreadsheetConnector:
        config = SpreadsheetSourceConfig(path=tmp_path / "gone" / "servicios.csv")
        return SpreadsheetConnector(config, _environment(tmp_path))


class TestLaVegaDirectoryConformance(ConnectorConformance):
    @pytest.fixture
    def connector(self, federation: Federation) -> SpreadsheetConnector:
        connector: SpreadsheetConnector = _placed(federation, LA_VEGA, Capability.DEPARTMENTS)[0]
        return connector

    @pytest.fixture
    def binding(self, federation: Federation) -> Binding:
        binding: Binding = _placed(federation, LA_VEGA, Capability.DEPARTMENTS)[1]
        return binding

    @pytest.fixture
    def known_keys(self) -> list[RecordKey]:
        return [
            (LA_VEGA, "tesoreria"),
            (LA_VEGA, "desarrollo-social"),
            (LA_VEGA, "planeamiento-urbano"),
        ]

    @pytest.fixture
    def known_municipalities(self) -> list[str]:
        return [LA_VEGA]

    @pytest.fixture
    def broken_connector(self, tmp_path: Path) -> SpreadsheetConnector:
        config = SpreadsheetSourceConfig(path=tmp_path / "missing.xlsx")
        return SpreadsheetConnector(config, _environment(tmp_path))


# -- the demo files, mapped back, are the demo catalogue ----------------------------------------


async def test_veron_workbook_serves_the_demo_catalogue(federation: Federation) -> None:
    connector, services = _placed(federation, VERON, Capability.SERVICES)
    _, departments = _placed(federation, VERON, Capability.DEPARTMENTS)
    assert _placed(federation, VERON, Capability.DEPARTMENTS)[0] is connector
    (listed,) = await connector.list_for(services, [VERON])
    (directory,) = await connector.list_for(departments, [VERON])
    assert listed == _expected_services(VERON)
    assert directory == _expected_departments(VERON)
    assert connector.parse_count == 1, "both sheets come from one read of the workbook"


async def test_cabarete_csv_serves_the_demo_catalogue(federation: Federation) -> None:
    connector, binding = _placed(federation, CABARETE, Capability.SERVICES)
    (listed,) = await connector.list_for(binding, [CABARETE])
    assert listed == _expected_services(CABARETE)


async def test_la_vega_departments_come_from_the_workbook_and_services_from_the_hub(
    federation: Federation,
) -> None:
    connector, binding = _placed(federation, LA_VEGA, Capability.DEPARTMENTS)
    services = federation.binding(LA_VEGA, Capability.SERVICES)
    assert services is not None and services[0].kind == "native"
    (listed,) = await connector.list_for(binding, [LA_VEGA])
    assert listed == _expected_departments(LA_VEGA)
    # Every department a La Vega service refers to is in the directory.
    referred = {s["department_id"] for s in catalogue.services(LA_VEGA)}
    found = await connector.fetch_many(binding, [(LA_VEGA, d) for d in sorted(referred)])
    assert all(found)


# -- each quirk ---------------------------------------------------------------------------------


async def test_header_below_a_merged_title_subtitle_and_blank_row(federation: Federation) -> None:
    connector, binding = _placed(federation, VERON, Capability.SERVICES)
    table = await connector.table(binding)
    assert table.header_row == 4
    assert table.headers[:6] == (
        "Código",
        "Servicio",
        "Descripción",
        "Área",
        "Requisitos",
        "Tarifa (RD$)",  # "Tarifa\n(RD$)" in the cell
    )
    assert table.rows[0][0] == 5, "the first record is on row 5"
    # The title sits in a merged cell A1:L1: read as one value in column A.
    wb = openpyxl.load_workbook(connector.path)
    sheet = wb[workbooks.VERON_SERVICES_SHEET]
    assert sorted(str(r) for r in sheet.merged_cells.ranges) == ["A1:L1", "A2:L2"]
    wb.close()


async def test_header_found_by_its_text_past_a_cover_sheet(federation: Federation) -> None:
    connector, binding = _placed(federation, LA_VEGA, Capability.DEPARTMENTS)
    table = await connector.table(binding)
    assert table.sheet == "Directorio"
    assert table.header_row == 6
    assert "HORARIO DE ATENCIÓN" in table.headers


async def test_header_contains_ignores_case_and_accents(federation: Federation) -> None:
    connector, binding = _placed(federation, VERON, Capability.SERVICES)
    table = await connector.table(_with_layout(binding, header_row=None, header_contains="CODIGO"))
    assert table.header_row == 4


def test_headers_are_trimmed_and_collapsed_but_keep_accents() -> None:
    assert normalise_header("  Tarifa\n (RD$) ") == "Tarifa (RD$)"
    assert normalise_header("Co\u0301digo") == "Código"  # decomposed accent, as a Mac saves it
    assert normalise_header(None) == ""
    assert normalise_header(2026.0) == "2026"


async def test_spanish_and_english_money_become_exact_decimals(tmp_path: Path) -> None:
    environment = _environment(tmp_path)
    services = [dict(s) for s in catalogue.services(VERON)[:2]]
    services[0]["fee_amount"] = Decimal("1234567.50")
    services[1]["fee_amount"] = Decimal("800.05")
    xlsx = workbooks.write_veron_punta_cana(tmp_path / "v.xlsx", services, [])
    csv_path = workbooks.write_cabarete(tmp_path / "c.csv", services)
    cells = openpyxl.load_workbook(xlsx, read_only=True)
    texts = [row[5] for row in cells.active.iter_rows(min_row=5, max_row=6, values_only=True)]
    cells.close()
    assert texts == ["RD$ 1.234.567,50", "RD$ 800,05"]
    assert "RD$ 1,234,567.50" in csv_path.read_text("latin-1")
    assert ";800.05;" in csv_path.read_text("latin-1")

    for path, municipality_id, encoding in (
        (xlsx, VERON, "utf-8-sig"),
        (csv_path, CABARETE, "latin-1"),
    ):
        snippet = yaml.safe_load(SNIPPETS[municipality_id])
        source = next(s for s in snippet["sources"].values() if s["connector"] == "spreadsheet")
        config = SpreadsheetSourceConfig.model_validate(
            {**source, "path": path, "encoding": encoding}
        )
        binding = Binding(
            municipality_id,
            Capability.SERVICES,
            SpreadsheetBindingConfig.model_validate(snippet["bindings"]["services"]),
        )
        connector = SpreadsheetConnector(config, environment)
        (listed,) = await connector.list_for(binding, [municipality_id])
        fees = [r["fee_amount"] for r in listed]
        assert fees == [Decimal("1234567.50"), Decimal("800.05")]
        assert all(f.as_tuple().exponent == -2 for f in fees)


async def test_excel_serials_date_cells_and_day_first_text_dates(federation: Federation) -> None:
    veron, veron_binding = _placed(federation, VERON, Capability.SERVICES)
    cabarete, cabarete_binding = _placed(federation, CABARETE, Capability.SERVICES)

    # Raw cells: the workbook has real date cells and bare serials; the CSV has dd/mm/yyyy.
    raw = [row["Actualizado"] for _, row in (await veron.table(veron_binding)).rows]
    assert isinstance(raw[0], dt.datetime) and isinstance(raw[1], int)
    text = [row["FECHA ACTUALIZACION"] for _, row in (await cabarete.table(cabarete_binding)).rows]
    assert text[0] == workbooks.updated_on(0).strftime("%d/%m/%Y")

    # Through the mapper: `type: date` on a field (no service field is a date; borrow one).
    for connector, binding, column in (
        (veron, veron_binding, "Actualizado"),
        (cabarete, cabarete_binding, "FECHA ACTUALIZACION"),
    ):
        dated = _with_fields(binding, legal_basis={"from": column, "type": "date"})
        (listed,) = await connector.list_for(dated, [binding.municipality_id])
        assert [r["legal_basis"] for r in listed] == [
            workbooks.updated_on(i) for i in range(len(listed))
        ]
    assert [to_date(v) for v in raw] == [workbooks.updated_on(i) for i in range(len(raw))]


async def test_si_no_flags_become_channels_through_the_hook(federation: Federation) -> None:
    assert get_hook("channels_from_online_flag") is not None
    for municipality_id in (VERON, CABARETE):
        connector, binding = _placed(federation, municipality_id, Capability.SERVICES)
        table = await connector.table(binding)
        (listed,) = await connector.list_for(binding, [municipality_id])
        online_column = "En línea" if municipality_id == VERON else "EN LINEA"
        for (_, row), record in zip(table.rows, listed, strict=True):
            online = row[online_column] in ("Sí", "Si")
            assert ("en_linea" in record["channels"]) is online
            assert record["channels"][0] == "presencial"
    (listed,) = await _placed(federation, VERON, Capability.SERVICES)[0].list_for(
        _placed(federation, VERON, Capability.SERVICES)[1], [VERON]
    )
    by_id = {r["id"]: r for r in listed}
    assert by_id["recogida-desechos-comercial"]["channels"] == [
        "presencial",
        "en_linea",
        "telefono",
    ]
    assert by_id["arrendamiento-nicho"]["channels"] == ["presencial"]


async def test_a_flag_that_is_not_si_or_no_names_field_and_value(
    federation: Federation, demo_files: dict[str, Path]
) -> None:
    connector, binding = _placed(federation, VERON, Capability.SERVICES)
    _set_cell(demo_files[VERON], workbooks.VERON_SERVICES_SHEET, "H7", "Quizás")
    with pytest.raises(MappingError) as caught:
        await connector.list_for(binding, [VERON])
    error = caught.value
    assert error.field == "channels" and "Quizás" in error.value
    assert "En línea" in error.internal_message and "row 7" in error.internal_message


async def test_trailing_blank_rows_and_footer_are_ignored(federation: Federation) -> None:
    connector, binding = _placed(federation, VERON, Capability.SERVICES)
    count = len(catalogue.services(VERON))
    table = await connector.table(binding)
    assert len(table.rows) == count
    assert all("Preparado" not in str(row["Código"]) for _, row in table.rows)

    # Without stop_at_blank the footer is a row; skip_rows_where can drop it instead.
    keep_going = _with_layout(binding, stop_at_blank=False)
    footer = (await connector.table(keep_going)).rows[-1][1]
    assert footer["Código"] == "Preparado por: Tesorería"
    skipping = _with_layout(keep_going, skip_rows_where={"Servicio": ""})
    assert len((await connector.table(skipping)).rows) == count

    cabarete, cabarete_binding = _placed(federation, CABARETE, Capability.SERVICES)
    rows = (await cabarete.table(cabarete_binding)).rows
    assert len(rows) == len(catalogue.services(CABARETE))
    assert rows[-1][0] == 2 + len(rows), "CSV rows are numbered as Excel shows them"


async def test_csv_delimiter_is_detected_and_the_bom_dropped(tmp_path: Path) -> None:
    path = tmp_path / "servicios.csv"
    path.write_text(
        "Catálogo\n"
        "Código,Nombre,Área,Tarifa\n"
        'a-1,"Licencia, construcción",URB,"RD$ 1,500.00"\n'
        "b-2,Certificado,CER,250.00\n",
        encoding="utf-8-sig",
    )
    connector = SpreadsheetConnector(SpreadsheetSourceConfig(path=path), _environment(tmp_path))
    binding = Binding(
        "santiago",
        Capability.SERVICES,
        SpreadsheetBindingConfig.model_validate(
            {
                "source": "csv",
                "header_contains": "codigo",
                "fields": {
                    "id": "Código",
                    "name": "Nombre",
                    "category": {
                        "from": "Área",
                        "map": {"URB": "urbanismo", "CER": "certificaciones"},
                    },
                    "fee_amount": "Tarifa",
                },
            }
        ),
    )
    (listed,) = await connector.list_for(binding, ["santiago"])
    assert [(r["id"], r["name"], r["fee_amount"]) for r in listed] == [
        ("a-1", "Licencia, construcción", Decimal("1500.00")),
        ("b-2", "Certificado", Decimal("250.00")),
    ]


# -- reading once, and again when the file changes ---------------------------------------------


async def test_a_rewritten_workbook_is_seen_without_a_new_connector(
    federation: Federation, demo_files: dict[str, Path]
) -> None:
    connector, binding = _placed(federation, VERON, Capability.SERVICES)
    key = (VERON, "certificado-uso-suelo")
    (before,) = await connector.fetch_many(binding, [key])
    assert before is not None and before["fee_amount"] == Decimal("8000.00")
    await connector.fetch_many(binding, [key])
    await connector.list_for(binding, [VERON])
    assert connector.parse_count == 1, "an unchanged file is read once"

    stat = demo_files[VERON].stat()
    services = [dict(s) for s in catalogue.services(VERON)]
    services[0]["fee_amount"] = Decimal("9250.75")
    workbooks.write_veron_punta_cana(demo_files[VERON], services, catalogue.departments(VERON))
    _touch_newer(demo_files[VERON], stat)

    (after,) = await connector.fetch_many(binding, [key])
    assert after is not None and after["fee_amount"] == Decimal("9250.75")
    assert connector.parse_count == 2
    await connector.fetch_many(binding, [key])
    assert connector.parse_count == 2


async def test_a_rewritten_csv_is_seen_too(
    federation: Federation, demo_files: dict[str, Path]
) -> None:
    connector, binding = _placed(federation, CABARETE, Capability.SERVICES)
    (before,) = await connector.list_for(binding, [CABARETE])
    stat = demo_files[CABARETE].stat()
    services = [dict(s) for s in catalogue.services(CABARETE)]
    services[-1]["fee_amount"] = Decimal("12345.60")
    workbooks.write_cabarete(demo_files[CABARETE], services)
    _touch_newer(demo_files[CABARETE], stat)
    (after,) = await connector.list_for(binding, [CABARETE])
    assert before[-1]["fee_amount"] == Decimal("2500.00")
    assert after[-1]["fee_amount"] == Decimal("12345.60")
    assert connector.parse_count == 2


async def test_concurrent_calls_share_one_read(federation: Federation) -> None:
    connector, binding = _placed(federation, VERON, Capability.SERVICES)
    keys = [(VERON, s["id"]) for s in catalogue.services(VERON)]
    results = await asyncio.gather(*(connector.fetch_many(binding, keys) for _ in range(8)))
    assert all(all(found) for found in results)
    assert connector.parse_count == 1


async def test_other_municipalities_get_nothing_and_cost_no_read(federation: Federation) -> None:
    connector, binding = _placed(federation, VERON, Capability.SERVICES)
    assert await connector.list_for(binding, [CABARETE, "santiago"]) == [[], []]
    assert await connector.fetch_many(binding, [(CABARETE, "permiso-evento-playa")]) == [None]
    assert connector.parse_count == 0
    found = await connector.fetch_many(
        binding, [(CABARETE, "permiso-evento-playa"), (VERON, "permiso-evento-playa")]
    )
    assert found[0] is None and found[1] is not None
    assert found[1]["municipality_id"] == VERON


async def test_returned_records_are_copies(federation: Federation) -> None:
    connector, binding = _placed(federation, VERON, Capability.SERVICES)
    (first,) = await connector.list_for(binding, [VERON])
    first[0]["requirements"].append("changed by a caller")
    first[0]["name"] = "changed"
    (again,) = await connector.list_for(binding, [VERON])
    assert again == _expected_services(VERON)


# -- errors ---------------------------------------------------------------------------------


async def test_a_column_the_sheet_lacks_is_named_with_the_sheet(federation: Federation) -> None:
    connector, binding = _placed(federation, VERON, Capability.SERVICES)
    wrong = _with_fields(binding, fee_amount="Tarifa")
    with pytest.raises(MappingError) as caught:
        await connector.fetch_many(wrong, [(VERON, "certificado-uso-suelo")])
    message = caught.value.internal_message
    assert "'Tarifa'" in message and "'Catálogo de servicios 2026'" in message
    assert caught.value.field == "fee_amount"
    assert "Tarifa" in caught.value.user_message

    near = _with_fields(binding, id="CODIGO")
    with pytest.raises(MappingError, match="did you mean 'Código'"):
        await connector.list_for(near, [VERON])

    # check() reports the bindings it has served; check_binding() probes one directly.
    report = await connector.check()
    assert not report.ok and "'Tarifa'" in report.message
    probe = await connector.check_binding(wrong)
    assert not probe.ok and "Catálogo de servicios 2026" in probe.message


async def test_a_value_that_cannot_be_converted_names_field_value_and_row(
    federation: Federation, demo_files: dict[str, Path]
) -> None:
    connector, binding = _placed(federation, VERON, Capability.SERVICES)
    services = catalogue.services(VERON)
    _set_cell(demo_files[VERON], workbooks.VERON_SERVICES_SHEET, "F6", "RD$ ocho mil")
    with pytest.raises(MappingError) as caught:
        await connector.list_for(binding, [VERON])
    error = caught.value
    assert error.field == "fee_amount" and error.source_field == "Tarifa (RD$)"
    assert "ocho mil" in error.value
    assert (
        "row 6" in error.internal_message and "Catálogo de servicios 2026" in error.internal_message
    )
    # The file, the key, the sheet, the row and the cell, for whoever fixes it.
    assert "bindings.services.fields.fee_amount" in error.internal_message
    assert (
        f"file {workbooks.VERON_FILE}, sheet 'Catálogo de servicios 2026', row 6, cell F6"
        in error.internal_message
    )
    assert "ocho mil" in error.user_message and "Traceback" not in error.user_message
    # Other rows are still served by key; the broken row's key raises instead of a wrong None.
    (fine,) = await connector.fetch_many(binding, [(VERON, services[0]["id"])])
    assert fine is not None
    with pytest.raises(MappingError):
        await connector.fetch_many(binding, [(VERON, services[1]["id"])])
    report = await connector.check_binding(binding)
    assert not report.ok and report.details["problems"]


async def test_check_lists_each_sheet_and_its_headers(demo_files: dict[str, Path]) -> None:
    connector = SpreadsheetConnector(
        SpreadsheetSourceConfig(path=demo_files[VERON]), _environment(demo_files[VERON].parent)
    )
    report = await connector.check()
    assert report.ok, report.message
    sheets = report.details["sheets"]
    assert list(sheets) == [workbooks.VERON_SERVICES_SHEET, workbooks.VERON_DEPARTMENTS_SHEET]
    assert sheets[workbooks.VERON_SERVICES_SHEET][:2] == ["Código", "Servicio"]
    assert "Tarifa (RD$)" in sheets[workbooks.VERON_SERVICES_SHEET]
    assert report.details["header_rows"] == {
        workbooks.VERON_SERVICES_SHEET: 4,
        workbooks.VERON_DEPARTMENTS_SHEET: 1,
    }
    la_vega = SpreadsheetConnector(
        SpreadsheetSourceConfig(path=demo_files[LA_VEGA]), _environment(demo_files[LA_VEGA].parent)
    )
    details = (await la_vega.check()).details
    assert details["header_rows"]["Directorio"] == 6
    cabarete = SpreadsheetConnector(
        SpreadsheetSourceConfig(path=demo_files[CABARETE], encoding="latin-1"),
        _environment(demo_files[CABARETE].parent),
    )
    details = (await cabarete.check()).details
    assert details["sheets"][demo_files[CABARETE].name][0] == "CODIGO"


async def test_missing_file_is_transient_and_reported(tmp_path: Path) -> None:
    connector = SpreadsheetConnector(
        SpreadsheetSourceConfig(path=Path("nowhere.xlsx")), _environment(tmp_path)
    )
    assert connector.path == tmp_path / "nowhere.xlsx", "relative paths start at config_dir"
    report = await connector.check()
    assert not report.ok and "not found" in report.message
    binding = Binding(VERON, Capability.SERVICES, SpreadsheetBindingConfig(source="x"))
    with pytest.raises(TransientError):
        await connector.list_for(binding, [VERON])


_CORRUPT = {".xlsx": b"PK\x03\x04 not really a zip", ".csv": b"a,b\n\xff\xfe\x00"}


@pytest.mark.parametrize("suffix", sorted(_CORRUPT))
async def test_a_corrupt_file_is_an_upstream_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"dañado{suffix}"
    path.write_bytes(_CORRUPT[suffix])
    _age(path)
    connector = SpreadsheetConnector(SpreadsheetSourceConfig(path=path), _environment(tmp_path))
    binding = Binding(VERON, Capability.SERVICES, SpreadsheetBindingConfig(source="x"))
    with pytest.raises(UpstreamError) as caught:
        await connector.fetch_many(binding, [(VERON, "a")])
    assert str(path) in caught.value.internal_message
    assert str(path) not in caught.value.user_message
    report = await connector.check()
    assert not report.ok


@pytest.mark.parametrize("suffix", sorted(_CORRUPT))
async def test_a_file_broken_moments_after_a_change_may_be_mid_copy(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"copiando{suffix}"
    path.write_bytes(_CORRUPT[suffix])
    connector = SpreadsheetConnector(SpreadsheetSourceConfig(path=path), _environment(tmp_path))
    binding = Binding(VERON, Capability.SERVICES, SpreadsheetBindingConfig(source="x"))
    with pytest.raises(TransientError, match="being copied"):
        await connector.fetch_many(binding, [(VERON, "a")])


async def test_latin1_csv_read_as_utf8_says_which_encoding_to_set(
    demo_files: dict[str, Path],
) -> None:
    connector = SpreadsheetConnector(
        SpreadsheetSourceConfig(path=demo_files[CABARETE]),
        _environment(demo_files[CABARETE].parent),
    )
    _age(demo_files[CABARETE])
    binding = Binding(CABARETE, Capability.SERVICES, SpreadsheetBindingConfig(source="x"))
    with pytest.raises(UpstreamError, match="encoding: latin-1") as caught:
        await connector.list_for(binding, [CABARETE])
    assert not isinstance(caught.value, TransientError)
    assert connector.parse_count == 0


async def test_a_sheet_that_is_not_there_is_named(federation: Federation) -> None:
    connector, binding = _placed(federation, VERON, Capability.SERVICES)
    with pytest.raises(UpstreamError, match=r"no sheet 'Hoja1'.*'Dependencias'"):
        await connector.list_for(_with_layout(binding, sheet="Hoja1"), [VERON])
    with pytest.raises(UpstreamError, match="header_contains"):
        await connector.list_for(
            _with_layout(binding, header_row=None, header_contains="NO EXISTE"), [VERON]
        )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"path": "catalogo.xls"}, "save the old .xls workbook as .xlsx"),
        ({"path": "catalogo.ods"}, "an .xlsx or .csv file"),
        ({"path": "catalogo.xlsx", "delimiter": ";"}, "CSV files only"),
        ({"path": "catalogo.csv", "encoding": "utf-16"}, "latin-1"),
        ({"path": "catalogo.csv", "sheets": "x"}, "sheets"),
    ],
)
def test_source_config_is_checked_at_load(data: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError, match=expected):
        SpreadsheetSourceConfig.model_validate({"connector": "spreadsheet", **data})


def test_binding_takes_one_header_rule() -> None:
    with pytest.raises(ValidationError, match="not both"):
        SpreadsheetBindingConfig(source="x", header_row=3, header_contains="CODIGO")
    assert SpreadsheetSourceConfig(path=Path("x.txt")).file_format == "csv"
    assert SpreadsheetSourceConfig(path=Path("x.data"), format="xlsx").file_format == "xlsx"


def test_demo_writer_main_writes_every_file(tmp_path: Path) -> None:
    assert workbooks.main([str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [
            workbooks.VERON_FILE,
            workbooks.CABARETE_FILE,
            workbooks.LA_VEGA_FILE,
            budgets.VERON_BUDGET_FILE,
        ]
    )


# -- helpers ------------------------------------------------------------------------------------


def _set_cell(path: Path, sheet: str, cell: str, value: Any) -> None:
    """Edit one cell as a treasurer would, keeping the file's modification time moving."""
    stat = path.stat()
    workbook = openpyxl.load_workbook(path)
    workbook[sheet][cell] = value
    workbook.save(path)
    workbook.close()
    _touch_newer(path, stat)


def _age(path: Path) -> None:
    """Make the file an hour old: long settled, not a copy in progress."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 3600 * 1_000_000_000))


@pytest.fixture(autouse=True)
def _no_stray_partial_files(tmp_path: Path) -> Iterator[None]:
    yield
    assert not list(tmp_path.rglob("*.partial"))
