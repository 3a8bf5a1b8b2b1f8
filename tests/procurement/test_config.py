"""Procurement in a municipality's file: its unidad de compras, and the `ocds` kind's keys."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from connectors import InvalidConfiguration, load_directory
from tests.fixtures import DEMO_MUNICIPALITIES_DIR


def _problems(tmp_path: Path, municipality: str, edit: dict[str, object]) -> list[str]:
    directory = tmp_path / "municipalities"
    shutil.copytree(DEMO_MUNICIPALITIES_DIR, directory)
    path = directory / f"{municipality}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for dotted, value in edit.items():
        *parents, last = dotted.split(".")
        node = data
        for key in parents:
            node = node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InvalidConfiguration) as caught:
        load_directory(directory)
    return [str(p).replace(str(directory) + "/", "") for p in caught.value.problems]


@pytest.fixture(autouse=True)
def _data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PLANASMUN_DEMO_DATA_DIR", str(tmp_path))


def test_the_demo_files_name_their_buyers() -> None:
    loaded = load_directory(DEMO_MUNICIPALITIES_DIR)
    assert loaded["la-vega"].file.procurement_unit == "3301"
    assert loaded["santo-domingo-este"].file.procurement_unit == "3318"


def test_procurement_bound_without_a_unidad_de_compras(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "la-vega", {"procurement_unit": None})
    assert problems == [
        'la-vega.yaml: procurement_unit: expected its unidad de compras number (e.g. "1234") '
        "when `procurement` is bound, found nothing"
    ]


def test_a_unidad_de_compras_is_a_number(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "la-vega", {"procurement_unit": "UC-33"})
    assert [p.split(": ")[1] for p in problems] == ["procurement_unit"]
    assert "'UC-33'" in problems[0]


def test_an_ocds_source_with_a_file_and_an_api(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, "santo-domingo-este", {"sources.dgcp.url": "https://api.dgcp.gob.do/releases"}
    )
    assert len(problems) == 1
    assert problems[0].startswith("santo-domingo-este.yaml: sources.dgcp: ")
    assert "one of them" in problems[0]


def test_an_ocds_binding_names_its_buyer_by_dgcp_id(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "santo-domingo-este", {"bindings.procurement.buyer": "3318"})
    assert len(problems) == 1
    assert problems[0].startswith("santo-domingo-este.yaml: bindings.procurement.buyer: ")
    assert "'3318'" in problems[0]


def test_a_procurement_mapping_onto_a_code_outside_ocds(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        "la-vega",
        {"bindings.procurement.fields.status.map": {"ABI": "abierto", "ADJ": "complete"}},
    )
    assert len(problems) == 1
    assert problems[0].startswith("la-vega.yaml: bindings.procurement.fields.status")
    assert "abierto" in problems[0]


def test_an_ocds_binding_must_name_its_own_unidad_de_compras(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, "santo-domingo-este", {"bindings.procurement.buyer": "DO-UC-101"}
    )
    assert problems == [
        "santo-domingo-este.yaml: bindings.procurement.buyer: expected DO-UC-3318 "
        "(its procurement_unit), found 'DO-UC-101'"
    ]
