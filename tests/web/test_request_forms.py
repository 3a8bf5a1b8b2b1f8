"""The request form's own checks and what it sends to the schema (no server needed)."""

from __future__ import annotations

import datetime as dt

from starlette.datastructures import FormData

from web import request_forms as forms

DATE = forms.RequestField("fecha_inicio", "Fecha de inicio", None, "DATETIME", True, ())
DAYS = forms.RequestField("dias", "Número de días", None, "NUMBER", False, ())
SUPPORT = forms.RequestField(
    "apoyos", "¿Qué apoyo necesita?", None, "MULTIVALUELIST", False,
    (("salud", "Salud"), ("vivienda", "Vivienda")),
)  # fmt: skip
KIND = forms.RequestField(
    "tipo", "Tipo de lugar", None, "SINGLEVALUELIST", True, (("vivienda", "Vivienda"),)
)
FIELDS = [DATE, DAYS, SUPPORT, KIND]


def test_dates_are_read_day_first_and_sent_as_iso() -> None:
    assert forms.parse_date("25/12/2026") == dt.date(2026, 12, 25)
    assert forms.parse_date("2026-12-25") == dt.date(2026, 12, 25)
    assert forms.parse_date("31/02/2026") is None
    assert forms.answer_value(DATE, ["5/1/2027"]) == "2027-01-05"
    problem = forms.check_answer(DATE, ["mañana"])
    assert problem == forms.Problem("campo-fecha_inicio", "date_invalid", label="Fecha de inicio")


def test_numbers_take_a_decimal_comma() -> None:
    assert forms.parse_number("3,5") == 3.5
    assert forms.parse_number("-69.93") == -69.93
    assert forms.parse_number("tres") is None
    assert forms.answer_value(DAYS, [" 3,5 "]) == "3.5"
    assert forms.check_answer(DAYS, [""]) is None  # optional


def test_choices_must_be_offered_ones_and_a_multiple_choice_is_one_answer_per_key() -> None:
    assert forms.check_answer(KIND, ["hotel"]) is not None
    assert forms.check_answer(KIND, []) is not None  # required
    assert forms.check_answer(SUPPORT, ["salud", "vivienda"]) is None
    draft = forms.Draft(key="k" * 20, description="Ayuda", consent=True)
    draft.answers = {"apoyos": ["salud", "vivienda", "salud"], "tipo": ["vivienda"]}
    sent = forms.submit_input(draft, FIELDS, "jarabacoa", "jarabacoa:ayuda")
    assert sent["answers"] == [
        {"code": "apoyos", "value": "salud"},
        {"code": "apoyos", "value": "vivienda"},
        {"code": "tipo", "value": "vivienda"},
    ]
    assert sent["idempotencyKey"] == "k" * 20 and sent["consent"] is True


def test_coordinates_come_in_pairs_within_range() -> None:
    draft = forms.Draft(key="k" * 20, latitude="18.5")
    assert [p.field for p in forms.check_location(draft)] == ["longitud"]
    draft = forms.Draft(key="k" * 20, latitude="91", longitude="-69.9")
    assert [p.message for p in forms.check_location(draft)] == ["latitude_invalid"]
    assert forms.check_location(forms.Draft(key="k" * 20)) == []


def test_hidden_fields_carry_every_other_answer_and_come_back_the_same() -> None:
    draft = forms.Draft(
        key="clave-de-prueba-000001",
        description="Dos líneas\nde texto",
        answers={
            "fecha_inicio": ["1/2/2027"],
            "dias": [],
            "apoyos": ["salud"],
            "tipo": ["vivienda"],
        },
        address="Calle 1",
        latitude="18.5",
        longitude="-69.9",
        consent=True,
    )
    hidden = draft.hidden(forms.LOCATION, FIELDS)
    names = [name for name, _ in hidden]
    assert "direccion" not in names and "latitud" not in names  # asked on this step
    # The browser sends line breaks as CRLF; the step's own fields come from the inputs.
    sent = [(k, v.replace("\n", "\r\n")) for k, v in hidden]
    sent += [("direccion", "Calle 1"), ("latitud", "18.5"), ("longitud", "-69.9")]
    again = forms.Draft.from_form(FormData(sent), FIELDS)
    assert again == draft


def test_a_forged_key_is_replaced() -> None:
    draft = forms.Draft.from_form(FormData([("clave", "<script>")]), FIELDS)
    assert forms.KEY_PATTERN.match(draft.key)


def test_schema_errors_land_next_to_their_field() -> None:
    error = {"field": "answers.tipo", "message": "Elija una de las opciones", "code": "X"}
    problem = forms.problem_from_schema(error, FIELDS)
    assert problem.field == "campo-tipo" and problem.data == "Elija una de las opciones"
    assert forms.step_of_input(problem.field, FIELDS) == forms.DETAILS
    unknown = forms.problem_from_schema({"field": "idempotencyKey", "message": "m"}, FIELDS)
    assert unknown.field is None
    assert forms.step_of_input(unknown.field, FIELDS) == forms.CHECK
