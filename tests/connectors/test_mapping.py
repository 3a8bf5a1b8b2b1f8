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
    with pytest.raises(ValidationError, match="needs `from`"):
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
    assert mapping_problems(Capability.SERVICES, config)[0][0] == "hook"
