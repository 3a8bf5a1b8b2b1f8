"""Budgets from two kinds of source through GraphQL: Verón-Punta Cana's treasurer's
workbook (title rows, header on row 5, text money, "-", "80,4 %", a TOTAL GENERAL row, the
cut-off as an Excel serial) and GESMUN's SQL view (San Francisco de Macorís, two years);
a workbook gone missing gives the last known budget marked stale, else null naming the
source."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import strawberry
import yaml

from connectors import Binding, Capability, Federation
from demo import budgets
from demo.systems import DemoSystems
from schema import HubContext
from tests.fixtures import DEMO_MUNICIPALITIES_DIR, FakeClock, demo_federation

BUDGET = """
  fiscalYear cutoffDate currency
  programs { code name functionalClass objectClass approved modified executed
             executedPercent cutoffDate }
  totals { approved modified executed executedPercent }
  totalsMismatch { column sourceTotal hubTotal }
  skippedRows { row sheet field column cell }
"""


async def _run(schema: strawberry.Schema, federation: Federation, query: str) -> Any:
    return await schema.execute(query, context_value=HubContext.create(federation))


def _of(municipality: str, selection: str) -> str:
    return f'{{ municipality(id: "{municipality}") {{ {selection} }} }}'


def _workbook(systems: DemoSystems) -> Path:
    return systems.data_dir / "workbooks" / budgets.VERON_BUDGET_FILE


async def test_the_treasurers_workbook_becomes_a_typed_budget(
    demo: Federation, hub_schema: strawberry.Schema
) -> None:
    result = await _run(
        hub_schema, demo, _of("veron-punta-cana", f"budgetYears budget {{ {BUDGET} }}")
    )
    assert result.errors is None, result.errors
    municipality = result.data["municipality"]
    assert municipality["budgetYears"] == [2026]
    budget = municipality["budget"]
    # B3 holds the serial of 30/09/2026 formatted as a date.
    assert (budget["fiscalYear"], budget["cutoffDate"]) == (2026, "2026-09-30")
    assert budget["currency"] == "DOP"
    programs = {p["code"]: p for p in budget["programs"]}
    assert list(programs) == ["01", "02", "03", "04", "05"]
    assert programs["01"] == {
        "code": "01",
        "name": "Administración general",
        "functionalClass": "1.1 Administración general",
        "objectClass": "2.1 Remuneraciones y contribuciones",
        "approved": "18500000.00",  # a number
        "modified": "19200000.00",  # "  19.200.000,00  "
        "executed": "14750320.50",  # "RD$ 14.750.320,50"
        "executedPercent": "76.82",  # 0.768… formatted 0.0 %
        "cutoffDate": "2026-09-30",
    }
    assert programs["02"]["approved"] == "9800000.00"  # "RD$ 9.800.000,00"
    assert programs["02"]["executedPercent"] == "80.4"  # "80,4 %"
    assert programs["04"]["executed"] == "0.00"  # "-"
    assert budget["totals"] == {
        "approved": "46000000.00",
        "modified": "46450000.00",
        "executed": "25833888.00",
        "executedPercent": "55.6",
    }
    # The TOTAL GENERAL row agrees with the programs; nothing was skipped.
    assert budget["totalsMismatch"] == [] and budget["skippedRows"] == []


async def test_the_sql_view_gives_every_fiscal_year(
    demo: Federation, hub_schema: strawberry.Schema
) -> None:
    query = _of(
        "san-francisco-de-macoris",
        "budgetYears latest: budget { fiscalYear cutoffDate totals { executedPercent } } "
        f"older: budget(year: 2025) {{ {BUDGET} }} none: budget(year: 1999) {{ fiscalYear }}",
    )
    result = await _run(hub_schema, demo, query)
    assert result.errors is None, result.errors
    municipality = result.data["municipality"]
    assert municipality["budgetYears"] == [2026, 2025]
    assert municipality["latest"] == {
        "fiscalYear": 2026,
        "cutoffDate": "2026-10-31",
        "totals": {"executedPercent": "62.0"},
    }
    older = municipality["older"]
    assert older["cutoffDate"] == "2025-12-31" and len(older["programs"]) == 4
    expected = budgets.gesmun_programs(2025)
    assert [p["code"] for p in older["programs"]] == [p.code for p in expected]
    first = next(p for p in older["programs"] if p["code"] == "11")
    assert Decimal(first["executed"]) == next(p.executed for p in expected if p.code == "11")
    assert first["objectClass"] == "2.1 Remuneraciones"
    assert older["totalsMismatch"] == []  # a view states no total of its own
    assert municipality["none"] is None


async def test_a_government_with_no_budget_bound_answers_null_without_an_error(
    demo: Federation, hub_schema: strawberry.Schema
) -> None:
    result = await _run(hub_schema, demo, _of("santiago", "budgetYears budget { fiscalYear }"))
    assert result.errors is None
    assert result.data["municipality"] == {"budgetYears": [], "budget": None}


async def test_a_missing_workbook_serves_the_last_known_budget_marked_stale(
    demo: Federation, hub_schema: strawberry.Schema, systems: DemoSystems, clock: FakeClock
) -> None:
    query = _of("veron-punta-cana", "budget { fiscalYear totals { executed } }")
    fresh = await _run(hub_schema, demo, query)
    assert fresh.errors is None
    path = _workbook(systems)
    hidden = path.with_suffix(".moved")
    path.rename(hidden)
    try:
        clock.now += 301  # past the binding's cache lifetime: the file must be read again
        stale = await _run(hub_schema, demo, query)
    finally:
        hidden.rename(path)
    assert stale.data == fresh.data
    [note] = stale.errors or []
    assert tuple(note.path) == ("municipality", "budget")
    assert note.extensions["stale"] is True
    assert note.extensions["source"] == "presupuesto"
    assert note.extensions["municipality"] == "veron-punta-cana"
    assert note.extensions["ageSeconds"] >= 301


async def test_a_missing_workbook_with_nothing_kept_is_null_naming_the_source(
    demo: Federation, hub_schema: strawberry.Schema, systems: DemoSystems
) -> None:
    path = _workbook(systems)
    hidden = path.with_suffix(".moved")
    path.rename(hidden)
    try:
        result = await _run(
            hub_schema,
            demo,
            '{ a: municipality(id: "veron-punta-cana") { name budget { fiscalYear } } '
            'b: municipality(id: "san-francisco-de-macoris") { budget { fiscalYear } } }',
        )
    finally:
        hidden.rename(path)
    assert result.data["a"] == {"name": "Verón-Punta Cana", "budget": None}
    assert result.data["b"] == {"budget": {"fiscalYear": 2026}}
    [error] = result.errors or []
    assert tuple(error.path) == ("a", "budget")
    assert error.extensions["source"] == "presupuesto"
    assert error.extensions["municipality"] == "veron-punta-cana"


async def test_a_soap_operation_answers_the_same_query(
    demo: Federation, hub_schema: strawberry.Schema
) -> None:
    result = await _run(hub_schema, demo, _of("santo-domingo-este", f"budget {{ {BUDGET} }}"))
    assert result.errors is None, result.errors
    budget = result.data["municipality"]["budget"]
    assert (budget["fiscalYear"], budget["cutoffDate"]) == (2026, "2026-10-31")
    codes = [p["code"] for p in budget["programs"]]
    assert codes == [p["CUENTA"] for p in budgets.sigem_partidas("santo-domingo-este")]
    assert budget["programs"][0]["executedPercent"] == "73.2"  # "73,2 %"
    assert budget["totals"]["approved"] == "515000000.00"


async def test_one_call_per_source_for_every_budget_on_the_hub(
    demo: Federation, hub_schema: strawberry.Schema
) -> None:
    calls: list[str] = []
    for connector in demo.connectors:
        real = connector.list_for

        async def spy(binding: Binding, ids: Sequence[str], real: Any = real) -> Any:
            if binding.capability is Capability.BUDGET:
                calls.append(binding.config.source)
            return await real(binding, ids)

        connector.list_for = spy  # type: ignore[method-assign,assignment]
    result = await _run(
        hub_schema, demo, "{ municipalities { id budgetYears budget { fiscalYear } } }"
    )
    assert result.errors is None, result.errors
    assert sorted(calls) == ["gesmun", "presupuesto", "sigem"]
    by_id = {m["id"]: m for m in result.data["municipalities"]}
    assert by_id["veron-punta-cana"]["budget"] == {"fiscalYear": 2026}
    assert by_id["santiago"] == {"id": "santiago", "budgetYears": [], "budget": None}


async def test_a_bad_cell_is_a_skipped_row_and_the_total_mismatch_is_shown(
    systems: DemoSystems, tmp_path: Path, hub_schema: strawberry.Schema
) -> None:
    """Program 03's executed amount in words (row 8, cell G8): the row is left out of the
    sums and listed, and the TOTAL GENERAL row no longer agreeing is said, column by column."""
    workbook_path = tmp_path / budgets.VERON_BUDGET_FILE
    budgets.write_veron_budget(workbook_path)
    workbook = openpyxl.load_workbook(workbook_path)
    workbook[budgets.VERON_BUDGET_SHEET]["G8"] = "un millón"
    workbook.save(workbook_path)
    directory = tmp_path / "municipalities"
    shutil.copytree(DEMO_MUNICIPALITIES_DIR, directory)
    path = directory / "veron-punta-cana.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sources"]["presupuesto"]["path"] = str(workbook_path)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    federation = await demo_federation(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", directory)
    try:
        result = await _run(
            hub_schema, federation, _of("veron-punta-cana", f"budget {{ {BUDGET} }}")
        )
    finally:
        await federation.close()
    assert result.errors is None, result.errors
    budget = result.data["municipality"]["budget"]
    assert [p["code"] for p in budget["programs"]] == ["01", "02", "04", "05"]
    assert budget["skippedRows"] == [
        {
            "row": 8,
            "sheet": budgets.VERON_BUDGET_SHEET,
            "field": "executed",
            "column": "Ejecutado",
            "cell": "G8",
        }
    ]
    missing = next(p for p in budgets.veron_programs() if p.code == "03")
    assert budget["totalsMismatch"] == [
        {
            "column": "approved",
            "sourceTotal": "46000000.00",
            "hubTotal": str(Decimal("46000000.00") - missing.approved),
        },
        {
            "column": "modified",
            "sourceTotal": "46450000.00",
            "hubTotal": str(Decimal("46450000.00") - missing.modified),
        },
        {
            "column": "executed",
            "sourceTotal": "25833888.00",
            "hubTotal": str(Decimal("25833888.00") - missing.executed),
        },
    ]
    assert budget["totals"]["executed"] == str(Decimal("25833888.00") - missing.executed)
