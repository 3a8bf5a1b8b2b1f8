"""`check-config --probe` on the budget bindings: the sheet's header and sample rows for
writing the mapping, each year read, and a bad cell named by file, key, sheet, row, cell."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml

from connectors import load_directory
from demo import budgets
from demo.systems import DemoSystems
from gateway.probe import probe
from gateway.settings import Settings
from tests.fixtures import DEMO_MUNICIPALITIES_DIR


def _settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")


@pytest.fixture
def broken_workbook_dir(tmp_path: Path, systems: DemoSystems) -> Path:
    """Verón-Punta Cana's budget workbook with program 03's executed amount in words."""
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
    return directory


async def test_probe_shows_headers_sample_rows_and_each_year(
    systems: DemoSystems, tmp_path: Path
) -> None:
    lines, _ = await probe(load_directory(DEMO_MUNICIPALITIES_DIR), _settings(tmp_path))
    report = "\n".join(lines)
    assert "source presupuesto (spreadsheet): ok" in report
    assert '"Presupuesto aprobado"' in report and '"% Ejecución"' in report  # the header
    assert '"Administración general"' in report  # a sample row under it
    assert "bindings.budget -> presupuesto: 2026: 5 program(s), cut-off 2026-09-30" in report
    assert "bindings.budget -> gesmun: 2026: 4 program(s), cut-off 2026-10-31" in report
    assert "bindings.budget -> gesmun: 2025: 4 program(s), cut-off 2025-12-31" in report
    assert "skipped" not in report


async def test_probe_names_the_bad_cell_and_the_total_it_changes(
    broken_workbook_dir: Path, tmp_path: Path
) -> None:
    lines, healthy = await probe(load_directory(broken_workbook_dir), _settings(tmp_path))
    assert not healthy
    failed = next(line for line in lines if "source presupuesto (spreadsheet): FAILED" in line)
    for part in (
        budgets.VERON_BUDGET_FILE,
        "bindings.budget.fields.executed",
        f"sheet '{budgets.VERON_BUDGET_SHEET}'",
        "row 8",
        "cell G8",
        "'un millón'",
    ):
        assert part in failed, (part, failed)
    report = "\n".join(lines)
    assert "bindings.budget -> presupuesto: 2026: 4 program(s)" in report
    assert (
        f"    row 8 skipped ({budgets.VERON_BUDGET_SHEET}, cell G8): field 'executed' "
        "from 'Ejecutado'"
    ) in report
    assert "the source's total of executed is 25833888.00, the programs add up to" in report
