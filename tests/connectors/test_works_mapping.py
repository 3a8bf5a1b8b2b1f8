"""Works records as vendors keep them: text and fraction percents, dates as text or real
dates, money in the Dominican style, status codes through `map`, unknown codes refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from connectors import Binding, Capability, MappingError
from connectors.mapping import MappedBindingConfig, RecordMapper, mapping_problems

STATUS = {
    "from": "ESTADO",
    "map": {
        "PLA": "planned",
        "EJE": "in_execution",
        "PAR": "stopped",
        "TER": "finished",
        "CAN": "cancelled",
    },
}
FIELDS: dict[str, Any] = {
    "id": "CODIGO_OBRA",
    "name": "DESCRIPCION",
    "place": "UBICACION",
    "latitude": "LATITUD",
    "longitude": "LONGITUD",
    "contractor": "CONTRATISTA",
    "contract_amount": "MONTO",
    "progress_percent": "AVANCE",
    "start_date": {"from": "INICIO", "day_first": True},
    "expected_end_date": {"from": "FIN", "day_first": True},
    "status": STATUS,
    "procurement_ocid": "OCID",
}
ROW = {
    "CODIGO_OBRA": "OB-7",
    "DESCRIPCION": "Cañada de Villa Duarte",
    "UBICACION": "Villa Duarte",
    "LATITUD": "18.4790",
    "LONGITUD": "-69.8750",
    "CONTRATISTA": "Ingeniería Hídrica del Este, S.A.",
    "MONTO": "RD$ 1.234.567,50",
    "AVANCE": "45 %",
    "INICIO": "15/04/2025",
    "FIN": "03/02/2026",
    "ESTADO": "EJE",
    "OCID": "ocds-6550wx-ASDE-CCC-LPN-2025-0004",
}


def _mapper(fields: dict[str, Any]) -> RecordMapper:
    config = MappedBindingConfig.model_validate({"source": "sigem", "fields": fields})
    assert mapping_problems(Capability.WORKS, config) == []
    return RecordMapper(Binding("santo-domingo-este", Capability.WORKS, config))


def test_a_row_of_texts_becomes_a_typed_work() -> None:
    assert _mapper(FIELDS).map(ROW) == {
        "municipality_id": "santo-domingo-este",
        "id": "OB-7",
        "name": "Cañada de Villa Duarte",
        "place": "Villa Duarte",
        "latitude": Decimal("18.4790"),
        "longitude": Decimal("-69.8750"),
        "contractor": "Ingeniería Hídrica del Este, S.A.",
        "contract_amount": Decimal("1234567.50"),
        "currency": "DOP",
        "progress_percent": Decimal("45"),
        "start_date": dt.date(2025, 4, 15),
        "expected_end_date": dt.date(2026, 2, 3),  # day first: 3 February, not 2 March
        "end_date": None,
        "status": "in_execution",
        "procurement_ocid": "ocds-6550wx-ASDE-CCC-LPN-2025-0004",
        "procurement_code": None,
    }


@pytest.mark.parametrize(
    ("avance", "kind", "expected"),
    [
        ("45 %", None, Decimal("45")),
        ("62,5 %", None, Decimal("62.5")),
        ("62,5%", None, Decimal("62.5")),
        (45, None, Decimal("45")),
        (0.45, "fraction", Decimal("45")),
        (1, "fraction", Decimal("100")),
        ("45 %", "fraction", Decimal("45")),  # a text with its sign is taken as written
    ],
)
def test_progress_as_text_number_or_declared_fraction(
    avance: Any, kind: str | None, expected: Decimal
) -> None:
    spec: dict[str, Any] = {"from": "AVANCE"} if kind is None else {"from": "AVANCE", "type": kind}
    record = _mapper({**FIELDS, "progress_percent": spec}).map({**ROW, "AVANCE": avance})
    assert record["progress_percent"] == expected


def test_dates_as_real_dates_pass_through() -> None:
    record = _mapper(FIELDS).map(
        {**ROW, "INICIO": dt.date(2025, 9, 1), "FIN": dt.datetime(2027, 3, 31, 0, 0)}
    )
    assert (record["start_date"], record["expected_end_date"]) == (
        dt.date(2025, 9, 1),
        dt.date(2027, 3, 31),
    )


def test_every_vendor_code_maps_onto_a_status() -> None:
    mapper = _mapper(FIELDS)
    statuses = [mapper.map({**ROW, "ESTADO": code})["status"] for code in STATUS["map"]]
    assert statuses == ["planned", "in_execution", "stopped", "finished", "cancelled"]


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        ({"ESTADO": "SUS"}, "status", "'SUS'"),
        ({"ESTADO": ""}, "status", "''"),
        ({"AVANCE": "casi listo"}, "progress_percent", "'casi listo'"),
        ({"FIN": "31 de marzo"}, "expected_end_date", "'31 de marzo'"),
        ({"MONTO": "mucho"}, "contract_amount", "'mucho'"),
        # Progress beyond the whole, or a fraction source not declared as one (0.45 read
        # as percent would pass; 45 read as a fraction is 4500 %).
        ({"AVANCE": "145 %"}, "progress_percent", "'145 %'"),
        ({"AVANCE": -5}, "progress_percent", "-5"),
    ],
)
def test_a_value_the_field_cannot_take_is_a_mapping_error_naming_field_and_value(
    change: dict[str, str], field: str, value: str
) -> None:
    with pytest.raises(MappingError) as caught:
        _mapper(FIELDS).map({**ROW, **change})
    error = caught.value
    assert (error.field, error.value) == (field, value)
    assert "santo-domingo-este/sigem" in error.internal_message
    assert field in error.internal_message and value in error.internal_message


def test_a_status_map_onto_an_unknown_status_is_a_config_problem() -> None:
    fields = {**FIELDS, "status": {"from": "ESTADO", "map": {"EJE": "en_ejecucion"}}}
    config = MappedBindingConfig.model_validate({"source": "sigem", "fields": fields})
    (problem,) = mapping_problems(Capability.WORKS, config)
    assert problem[0] == "fields.status.map.EJE"
    assert problem[1] == (
        "expected one of cancelled, finished, in_execution, planned, stopped, found 'en_ejecucion'"
    )


def test_a_binding_without_a_status_is_a_config_problem() -> None:
    fields = {k: v for k, v in FIELDS.items() if k != "status"}
    config = MappedBindingConfig.model_validate({"source": "sigem", "fields": fields})
    assert [key for key, _ in mapping_problems(Capability.WORKS, config)] == ["fields.status"]


def test_a_fraction_binding_given_percentage_points_is_refused_not_multiplied() -> None:
    mapper = _mapper({**FIELDS, "progress_percent": {"from": "AVANCE", "type": "fraction"}})
    with pytest.raises(MappingError) as caught:
        mapper.map({**ROW, "AVANCE": 45})
    assert caught.value.field == "progress_percent"
    assert "expected a value from 0 to 100" in caught.value.internal_message
