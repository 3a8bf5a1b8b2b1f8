"""`planasmun check-config --probe` against the running simulated systems."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from connectors import load_directory
from demo.systems import DemoSystems
from gateway.probe import probe
from gateway.settings import Settings
from tests.fixtures import DEMO_MUNICIPALITIES_DIR
from tests.support import PROJECT_ROOT


@pytest.fixture
def broken_dir(tmp_path: Path, systems: DemoSystems) -> Path:
    """Santiago maps its fee from the title; La Vega names a column its table lacks."""
    directory = tmp_path / "municipalities"
    shutil.copytree(DEMO_MUNICIPALITIES_DIR, directory)
    for name, field, source in (
        ("santiago", "fee_amount", {"from": "titulo", "type": "money"}),
        ("la-vega", "legal_basis", "BASE_LEGALL"),
    ):
        path = directory / f"{name}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["bindings"]["services"]["fields"][field] = source
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return directory


async def test_probe_shows_what_each_source_offers(systems: DemoSystems, tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    lines, healthy = await probe(load_directory(DEMO_MUNICIPALITIES_DIR), settings)
    report = "\n".join(lines)
    assert "ObtenerServicios(municipio, codigos)" in report  # the WSDL's operations
    assert '"TRAMITES": [' in report and "COD_TRAMITE" in report  # the table's columns
    assert "Tarifa (RD$)" in report  # the sheet's headers
    assert "bindings.services -> munisoft: 12 record(s)" in report
    # A read-only request source: its query, then its probe numbers and how they map.
    assert "bindings.request_lookups[0] -> gesmun: " in report
    assert (
        "      SOL-2023-0097: estado 'T' -> RESUELTA; "
        "fecha '20230314' (%Y%m%d) -> 2023-03-14T04:00:00+00:00; "
        "fecha_estado '20230502' (%Y%m%d) -> 2023-05-02T04:00:00+00:00"
    ) in report
    assert "      SOL-1999-0001: not found" in report
    # The hub store of this fresh database has no tables yet; everything else answers.
    assert not healthy
    assert all("FAILED" not in line for line in lines if "(native)" not in line)


async def test_probe_names_file_binding_field_and_value(
    broken_dir: Path, systems: DemoSystems, tmp_path: Path
) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    lines, healthy = await probe(load_directory(broken_dir), settings)
    assert not healthy
    santiago = next(line for line in lines if "santiago.yaml: bindings.services" in line)
    assert "santiago.yaml: bindings.services.fields.fee_amount: santiago/munisoft" in santiago
    assert "from 'titulo': expected a number, found '" in santiago, santiago
    la_vega = next(line for line in lines if "la-vega.yaml: bindings.services" in line)
    assert "BASE_LEGALL" in la_vega


def test_probe_from_the_command_line_exits_non_zero(broken_dir: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "check-config", "--probe", str(broken_dir)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PLANASMUN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"},
        check=False,
    )
    assert result.returncode == 1
    assert "bindings.services.fields.fee_amount" in result.stdout
    assert "Some sources or bindings failed" in result.stderr
