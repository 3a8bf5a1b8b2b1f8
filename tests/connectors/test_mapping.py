from decimal import Decimal

import pytest
from pydantic import ValidationError

from connectors import Binding, Capability, MappingError
from connectors.hooks import record_hook
from connectors.mapping import MappedBindingConfig, RecordMapper, mapping_problems

ROW = {
    "CODIGO": "LIC-01",
    "NOMBRE": "Licencia de construcción",
    "TIPO": "URB",
    "TARIFA": "RD$ 15.000,00",
    "DIAS": "30",
    "REQ": "Cédula|Planos",
    "CANALES": "P,L",
    "EXTRA": {"base": "Ley 176-07"},
}

FIELDS = {
    "id": "CODIGO",
    "name": "NOMBRE",
    "category": {"from": "TIPO", "map": {"URB": "urbanismo", "SAN": "saneamiento"}},
    "fee_amount": {"from": "TARIFA", "type": "money"},
    "duration_days": "DIAS",
    "requirements": {"from": "REQ", "separator": "|"},
    "channels": {"from": "CANALES", "separator": ",", "map": {"P": "presencial", "L": "en_linea"}},
    "legal_basis": "EXTRA.base",
}


def _mapper(fields: dict[str, object], hook: str | None = None) -> RecordMapper:
    config = MappedBindingConfig.model_validate({"source": "erp", "fields": fields, "hook": hook})
    return RecordMapper(Binding("la-vega", Capability.SERVICES, config))


def test_maps_names_codes_money_lists_and_nested_paths() -> None:
    record = _mapper(FIELDS).map(ROW)
    assert record == {
        "municipality_id": "la-vega",
        "id": "LIC-01",
        "name": "Licencia de construcción",
        "description": "",
        "category": "urbanismo",
        "requirements": ["Cédula", "Planos"],
        "fee_amount": Decimal("15000.00"),
        "fee_currency": "DOP",
        "duration_days": 30,
        "channels": ["presencial", "en_linea"],
        "legal_basis": "Ley 176-07",
        "department_id": None,
        "active": True,
    }


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        ({"TIPO": "XYZ"}, "category", "'XYZ'"),
        ({"TARIFA": "gratis"}, "fee_amount", "'gratis'"),
        ({"DIAS": "treinta"}, "duration_days", "'treinta'"),
        ({"NOMBRE": "  "}, "name", "'  '"),
    ],
)
def test_bad_values_name_municipality_source_field_and_value(
    change: dict[str, str], field: str, value: str
) -> None:
    with pytest.raises(MappingError) as caught:
        _mapper(FIELDS).map({**ROW, **change})
    error = caught.value
    assert error.field == field and error.value == value
    assert "la-vega/erp" in error.internal_message and field in error.internal_message
    assert "la-vega" in error.user_message and value in error.user_message


def test_a_mapped_field_the_source_lacks_is_an_error_not_a_null() -> None:
    with pytest.raises(MappingError, match="TARIFAX"):
        _mapper({**FIELDS, "fee_amount": {"from": "TARIFAX", "type": "money"}}).map(ROW)


def test_mapping_onto_an_unknown_schema_field_is_a_config_problem() -> None:
    config = MappedBindingConfig.model_validate({"source": "erp", "fields": {"precio": "TARIFA"}})
    problems = mapping_problems(Capability.SERVICES, config)
    assert problems and problems[0][0] == "fields.precio"
    assert "expected a field of 'services'" in problems[0][1]


def test_a_spec_needs_a_source_or_a_constant() -> None:
    with pytest.raises(
        ValidationError, match="`from` \\(a source field\\), `value` \\(a constant\\) or `default`"
    ):
        MappedBindingConfig.model_validate({"source": "erp", "fields": {"name": {"type": "text"}}})


def test_constants_and_hooks() -> None:
    @record_hook("test_uppercase_names")
    def upper(raw: object, record: dict[str, object]) -> dict[str, object]:
        return {**record, "name": str(record["name"]).upper()}

    record = _mapper({**FIELDS, "channels": {"value": ["telefono"]}}, "test_uppercase_names").map(
        ROW
    )
    assert record["channels"] == ["telefono"]
    assert record["name"] == "LICENCIA DE CONSTRUCCIÓN"
    config = MappedBindingConfig.model_validate({"source": "erp", "hook": "no_such_hook"})
    keys = [key for key, _ in mapping_problems(Capability.SERVICES, config)]
    assert "hook" in keys


def test_a_declared_default_stands_in_for_a_source_without_categories() -> None:
    fields = {**FIELDS, "category": {"default": "tributos"}}
    assert _mapper(fields).map(ROW)["category"] == "tributos"
    config = MappedBindingConfig.model_validate({"source": "erp", "fields": fields})
    assert mapping_problems(Capability.SERVICES, config) == []


def test_vendor_codes_map_with_a_default_for_an_empty_code() -> None:
    # Unquoted YAML codes arrive as numbers: they are compared as text.
    category = {"from": "AREA", "map": {1: "urbanismo", "02": "saneamiento"}, "default": "social"}
    mapper = _mapper({**FIELDS, "category": category})
    assert mapper.map({**ROW, "AREA": "1"})["category"] == "urbanismo"
    assert mapper.map({**ROW, "AREA": "02"})["category"] == "saneamiento"
    assert mapper.map({**ROW, "AREA": " "})["category"] == "social"
    assert mapper.map({**ROW, "AREA": None})["category"] == "social"
    with pytest.raises(MappingError, match="a code listed in `map`"):
        mapper.map({**ROW, "AREA": "09"})  # an unknown code is never silently defaulted


def test_active_is_mapped_like_any_field_and_defaults_to_true() -> None:
    assert _mapper(FIELDS).map(ROW)["active"] is True
    mapper = _mapper({**FIELDS, "active": {"from": "ESTATUS", "map": {"A": True, "I": False}}})
    assert mapper.map({**ROW, "ESTATUS": "I"})["active"] is False
    assert mapper.map({**ROW, "ESTATUS": "A"})["active"] is True
    assert _mapper({**FIELDS, "active": "VIGENTE"}).map({**ROW, "VIGENTE": "No"})["active"] is False


def test_the_plain_check_finds_what_a_probe_would_reject() -> None:
    fields = {
        "name": "NOMBRE",
        "category": {"from": "TIPO", "map": {"URB": "urbanismo", "X": "vivienda"}},
        "channels": {"default": ["presencial", "fax"]},
        "active": {"value": "quizás"},
    }
    config = MappedBindingConfig.model_validate({"source": "erp", "fields": fields})
    problems = dict(mapping_problems(Capability.SERVICES, config))
    assert problems["fields.id"] == (
        "expected a mapping for the required field 'id' (a source field, `{from: ...}`, "
        "`{value: ...}` or `{default: ...}`), found none"
    )
    assert problems["fields.category.map.X"].startswith("expected one of cementerios, ")
    assert problems["fields.category.map.X"].endswith(", found 'vivienda'")
    assert problems["fields.channels.default"].endswith(", found ['presencial', 'fax']")
    assert problems["fields.active.value"].endswith(", found 'quizás'")
    assert len(problems) == 4
