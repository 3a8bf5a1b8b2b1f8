"""`bindings.request_lookups` in a municipality file: checked when the file is loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors.sql.lookups import SqlRequestLookupConfig
from connectors.tenants import load_file
from tests.fixtures import DEMO_MUNICIPALITIES_DIR

SFM = "san-francisco-de-macoris"


@pytest.fixture(autouse=True)
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PLANASMUN_DEMO_DATA_DIR", str(tmp_path))


def write(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load((DEMO_MUNICIPALITIES_DIR / f"{SFM}.yaml").read_text("utf-8"))
    change(data["bindings"]["request_lookups"], data)
    path = tmp_path / f"{SFM}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def problems(tmp_path: Path, change: Any) -> list[str]:
    municipality, found = load_file(write(tmp_path, change))
    assert municipality is None
    return [str(p) for p in found]


def test_the_demo_file_declares_its_archive(tmp_path: Path) -> None:
    municipality, found = load_file(write(tmp_path, lambda lookups, data: None))
    assert found == [] and municipality is not None
    (lookup,) = municipality.request_lookups
    assert isinstance(lookup, SqlRequestLookupConfig)
    assert lookup.serves("SOL-2023-0097") and not lookup.serves("SOL-2023-00971")
    assert "request_lookups" not in municipality.file.bindings


def test_a_lookup_needs_one_pattern(tmp_path: Path) -> None:
    def both(lookups: list[dict[str, Any]], data: Any) -> None:
        lookups[0]["tracking_prefix"] = "SOL-"

    (problem,) = problems(tmp_path, both)
    assert "bindings.request_lookups[0]" in problem and "tracking_prefix" in problem


def test_a_query_without_the_numbers_is_refused(tmp_path: Path) -> None:
    def no_in(lookups: list[dict[str, Any]], data: Any) -> None:
        lookups[0]["query"] = "SELECT numero FROM v_solicitudes_historicas"

    (problem,) = problems(tmp_path, no_in)
    assert "IN :tracking_numbers" in problem


def test_an_unknown_source_and_a_bad_pattern_are_both_named(tmp_path: Path) -> None:
    def two(lookups: list[dict[str, Any]], data: Any) -> None:
        lookups.append({**lookups[0], "source": "archivo"})
        lookups[0]["tracking_pattern"] = "^SOL-(\\d{4}$"

    found = problems(tmp_path, two)
    assert any("request_lookups[0].tracking_pattern" in p for p in found), found
    assert any("request_lookups[1].source" in p and "'archivo'" in p for p in found), found


def test_a_spreadsheet_cannot_look_requests_up(tmp_path: Path) -> None:
    def sheet(lookups: list[dict[str, Any]], data: Any) -> None:
        data["sources"]["hoja"] = {"connector": "spreadsheet", "path": "x.xlsx"}
        lookups[0]["source"] = "hoja"

    (problem,) = problems(tmp_path, sheet)
    assert "look requests up" in problem and "spreadsheet" in problem
