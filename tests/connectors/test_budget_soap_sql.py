"""The `budget` capability bound to a SOAP operation (SIGEM, a real spyne server on
loopback, every field a text) and to an SQL view (GESMUN on real SQLite): the same
records, the same budget, through each kind's ordinary read path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors import Binding, Capability, ConnectorEnvironment, MappingError, budget_years
from connectors.soap import SoapBindingConfig, SoapConnector, SoapSourceConfig
from connectors.sql import SqlBindingConfig, SqlConnector, SqlSourceConfig
from demo import budgets, legacy_sql
from demo.soap_vendors import VendorServer, start_sigem
from tests.support import PROJECT_ROOT

ENVIRONMENT = ConnectorEnvironment("sqlite+aiosqlite:///:memory:", PROJECT_ROOT / "config")

SIGEM_BUDGET = """
source: sigem
list_operation: ListarEjecucionPresupuestaria
arguments: {municipio: SDE}
fields:
  fiscal_year: ANIO
  code: CUENTA
  name: DESCRIPCION
  object_class: OBJETO_GASTO
  approved: APROBADO
  modified: MODIFICADO
  executed: EJECUTADO
  executed_percent: PORC_EJECUCION
  cutoff_date: FECHA_CORTE
"""

GESMUN_BUDGET = """
source: gesmun
table: v_ejecucion_presupuestaria
where: {cod_municipio: "0601"}
id_column: cuenta
fields:
  fiscal_year: anio
  code: cuenta
  name: programa
  functional_class: clasif_funcional
  object_class: objeto_gasto
  approved: aprobado
  modified: modificado
  executed: ejecutado
  cutoff_date: fecha_corte
"""


@pytest.fixture(scope="module")
def sigem() -> Iterator[VendorServer]:
    with start_sigem() as server:
        yield server


def _soap(text: str, **changes: Any) -> Binding:
    data = yaml.safe_load(text)
    data.update(changes)
    return Binding("santo-domingo-este", Capability.BUDGET, SoapBindingConfig.model_validate(data))


async def test_a_soap_operation_with_every_field_a_text(sigem: VendorServer) -> None:
    connector = SoapConnector(SoapSourceConfig(wsdl=sigem.wsdl_url), ENVIRONMENT)
    try:
        [records] = await connector.list_for(_soap(SIGEM_BUDGET), ["santo-domingo-este"])
    finally:
        await connector.close()
    [year] = budget_years(records)
    assert (year.fiscal_year, year.cutoff_date) == (2026, dt.date(2026, 10, 31))
    first = year.programs[0]
    expected = budgets.sigem_partidas("santo-domingo-este")[0]
    assert first.code == expected["CUENTA"] == "0101"
    # "RD$ 131.500.000,00", "RD$ 96.320.450,75", "73,2 %"
    assert (first.modified, first.executed) == (Decimal("131500000.00"), Decimal("96320450.75"))
    assert first.executed_percent == Decimal("73.2")
    assert year.totals.approved == Decimal("515000000.00")
    assert year.mismatches == () and year.skipped == ()


async def test_a_soap_field_that_is_not_an_amount_names_the_field(sigem: VendorServer) -> None:
    binding = _soap(
        SIGEM_BUDGET, fields={**yaml.safe_load(SIGEM_BUDGET)["fields"], "executed": "DESCRIPCION"}
    )
    connector = SoapConnector(SoapSourceConfig(wsdl=sigem.wsdl_url), ENVIRONMENT)
    try:
        with pytest.raises(MappingError) as caught:
            await connector.list_for(binding, ["santo-domingo-este"])
    finally:
        await connector.close()
    assert caught.value.field == "executed" and caught.value.source_field == "DESCRIPCION"


async def test_an_sql_view_of_every_year(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gesmun.db'}"
    await legacy_sql.create_database("gesmun", url)
    connector = SqlConnector(SqlSourceConfig(url=url), ENVIRONMENT)
    binding = Binding(
        "san-francisco-de-macoris",
        Capability.BUDGET,
        SqlBindingConfig.model_validate(yaml.safe_load(GESMUN_BUDGET)),
    )
    try:
        [records] = await connector.list_for(binding, ["san-francisco-de-macoris"])
    finally:
        await connector.close()
    years = budget_years(records)
    assert [y.fiscal_year for y in years] == [2026, 2025]
    latest = years[0]
    expected = budgets.gesmun_programs(2026)
    assert [p.code for p in latest.programs] == [p.code for p in expected]
    assert latest.totals.executed == sum((p.executed for p in expected), Decimal(0))
    assert latest.cutoff_date == dt.date(2026, 10, 31)
    # No percent in the view: computed from executed / modified, to one decimal.
    assert latest.programs[0].executed_percent == Decimal("62.0")
