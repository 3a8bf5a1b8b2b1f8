"""The data subject's rights through the API (Ley 172-13): rectify with consent, export
everything (and nothing about anyone else), cancel — each change audited."""

from __future__ import annotations

import base64
import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from schema.citizens.consent import CONSENT_PURPOSE, CONSENT_TEXT_VERSION
from tests.privacy.personal_values import JUAN, MARIA, personal_values_in
from tests.privacy.support import (
    STAFF_READ,
    UPDATE_PROFILE,
    PrivacyHub,
    codes,
    graphql,
    verify_audit,
)

ME = """
{ me { subject displayName
       profile { name cedula phone email address municipality { id } }
       consents { purpose textVersion givenAt withdrawnAt active }
       accessLog { actorRole municipality action fields purpose } } }
"""
EXPORT = "mutation { exportMyData { filename contentType zipBase64 errors { field code } } }"
DELETE = """
mutation Del($c: Boolean!) { deleteMyData(confirm: $c) { erased errors { field code message } } }
"""
STATISTICS = "{ statistics { citizensWithProfile erasedProfiles } }"


@pytest.fixture
def http(fresh_hub: PrivacyHub) -> Any:
    with fresh_hub.client() as client:
        yield client


def _errors(body: dict[str, Any]) -> dict[str, tuple[str, str]]:
    payload = body["data"]["updateMyProfile"]
    assert payload["profile"] is None
    return {e["field"]: (e["code"], e["message"]) for e in payload["errors"]}


def test_rectification_checks_every_field_and_names_it_in_spanish(
    http: httpx.Client, fresh_hub: PrivacyHub
) -> None:
    token = fresh_hub.token("maria")
    bad = {
        "name": "12345",
        "cedula": "001-123456",
        "phone": "555-0142",
        "email": "maria.perez@",
        "address": "Calle \x07 1",
        "municipality": "no-existe",
        "consent": True,
    }
    errors = _errors(graphql(http, UPDATE_PROFILE, token=token, input=bad))
    assert {field: code for field, (code, _) in errors.items()} == {
        "name": "INVALID_TEXT",
        "cedula": "INVALID_CEDULA",
        "phone": "INVALID_PHONE",
        "email": "INVALID_EMAIL",
        "address": "INVALID_TEXT",
        "municipality": "UNKNOWN_MUNICIPALITY",
    }
    assert "000-0000000-0" in errors["cedula"][1] and errors["cedula"][1].startswith("La cédula")
    assert errors["phone"][1].startswith("El teléfono")
    assert errors["email"][1].startswith("El correo electrónico")
    # The check digit: the provider's made-up cédula has the format but not the digit.
    digit = _errors(graphql(http, UPDATE_PROFILE, token=token, input={"cedula": MARIA.user.cedula}))
    assert digit["cedula"][0] == "CEDULA_CHECK_DIGIT"
    assert "dígito verificador" in digit["cedula"][1]
    # Messages never repeat what was typed; nothing was kept, nothing was logged as done.
    assert "001-123456" not in str(errors) and MARIA.user.cedula not in str(digit)
    assert graphql(http, ME, token=token)["data"]["me"]["profile"] is None
    assert fresh_hub.audit() == []


def test_personal_data_is_kept_only_with_consent_and_every_change_is_audited(
    http: httpx.Client, fresh_hub: PrivacyHub
) -> None:
    token = fresh_hub.token("maria")
    refused = _errors(
        graphql(http, UPDATE_PROFILE, token=token, input=MARIA.profile_input(consent=False))
    )
    assert refused == {
        "consent": (
            "CONSENT_REQUIRED",
            "Para guardar sus datos personales debe aceptar las condiciones de uso de sus datos.",
        )
    }
    saved = graphql(http, UPDATE_PROFILE, token=token, input=MARIA.profile_input())
    assert saved["data"]["updateMyProfile"]["errors"] == []
    me = graphql(http, ME, token=token)["data"]["me"]
    assert me["profile"] == {
        "name": MARIA.name,
        "cedula": MARIA.cedula,
        "phone": MARIA.phone,
        "email": MARIA.email,
        "address": MARIA.address,
        "municipality": {"id": "santo-domingo-este"},
    }
    (consent,) = me["consents"]
    assert (consent["purpose"], consent["textVersion"]) == (CONSENT_PURPOSE, CONSENT_TEXT_VERSION)
    assert consent["givenAt"] and consent["active"] and consent["withdrawnAt"] is None

    # Later changes need no new consent; each names only the fields it changed.
    assert (
        graphql(
            http, UPDATE_PROFILE, token=token, input={"phone": "(849) 555-0111", "address": None}
        )["data"]["updateMyProfile"]["profile"]["phone"]
        == "849-555-0111"
    )
    # Sending the same values again changes nothing and writes nothing.
    graphql(http, UPDATE_PROFILE, token=token, input={"phone": "849-555-0111"})
    entries = fresh_hub.audit(data_subject=MARIA.subject)
    assert [(e.action, e.fields) for e in entries] == [
        ("consent_recorded", ("purpose", "textVersion")),
        ("update_personal_data", ("municipality", "name", "cedula", "phone", "email", "address")),
        ("update_personal_data", ("phone", "address")),
    ]
    assert {(e.actor, e.actor_role) for e in entries} == {(MARIA.subject, "data_subject")}
    assert all(e.purpose for e in entries)
    assert personal_values_in(str([e.as_json() for e in entries])) == set()


def _unzip(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}


def test_the_export_holds_everything_about_maria_and_nothing_about_anyone_else(
    http: httpx.Client, fresh_hub: PrivacyHub
) -> None:
    fresh_hub.write_profile(MARIA)
    fresh_hub.write_profile(JUAN)
    purpose = "Atender la solicitud SDE-2026-000777 de la ciudadana"
    graphql(http, STAFF_READ, token=fresh_hub.token("ana"), subject=MARIA.subject, purpose=purpose)
    graphql(
        http, STAFF_READ, token=fresh_hub.token("carmen"), subject=JUAN.subject, purpose=purpose
    )
    graphql(
        http, STAFF_READ, token=fresh_hub.token("carmen"), subject=MARIA.subject, purpose=purpose
    )

    body = graphql(http, EXPORT, token=fresh_hub.token("maria"))
    payload = body["data"]["exportMyData"]
    assert payload["errors"] == [] and payload["contentType"] == "application/zip"
    assert payload["filename"].startswith("planasmun-mis-datos-")
    files = _unzip(base64.b64decode(payload["zipBase64"]))
    assert set(files) == {
        "mis-datos.json",
        "perfil.csv",
        "consentimientos.csv",
        "registro-de-accesos.csv",
        "solicitudes.csv",
    }
    data = json.loads(files["mis-datos.json"])
    assert data["serviceRequests"] == []  # she has sent none (tests/requests send some)
    assert data["subject"] == MARIA.subject
    assert {k: data["profile"][k] for k in ("name", "cedula", "phone", "email", "address")} == {
        "name": MARIA.name,
        "cedula": MARIA.cedula,
        "phone": MARIA.phone,
        "email": MARIA.email,
        "address": MARIA.address,
    }
    assert data["profile"]["municipality"] == "santo-domingo-este"
    assert [c["textVersion"] for c in data["consents"]] == [CONSENT_TEXT_VERSION]
    actions = [(e["action"], e["actorRole"]) for e in data["accessLog"]]
    assert ("read_personal_data", "staff:santo-domingo-este:agent") in actions
    assert ("access_denied", "staff:santiago:agent") in actions
    assert ("consent_recorded", "data_subject") in actions
    # The CSV files hold the same: every value of María's, in a spreadsheet's form.
    (profile_row,) = csv.DictReader(io.StringIO(files["perfil.csv"]))
    assert profile_row["cedula"] == MARIA.cedula and profile_row["address"] == MARIA.address
    log_rows = list(csv.DictReader(io.StringIO(files["registro-de-accesos.csv"])))
    assert len(log_rows) == len(data["accessLog"])
    for name, text in files.items():
        # Nothing about Juan, nor about the staff (named by role only) or their addresses.
        assert personal_values_in(text, only=(JUAN,)) == set(), name
        assert JUAN.subject not in text and "demo-personal-" not in text, name
        assert "127.0.0.1" not in text, name
    everything = "\n".join(files.values())
    assert {
        "maria's name",
        "maria's email",
        "maria's cedula",
        "maria's phone",
        "maria's address",
    } <= personal_values_in(everything, only=(MARIA,))
    (exported,) = [
        e for e in fresh_hub.audit(data_subject=MARIA.subject) if e.action == "export_personal_data"
    ]
    assert exported.actor == MARIA.subject and "profile.cedula" in exported.fields


def test_after_cancellation_no_query_returns_her_data_but_public_counts_still_count_it(
    http: httpx.Client, fresh_hub: PrivacyHub
) -> None:
    fresh_hub.write_profile(MARIA)
    fresh_hub.write_profile(JUAN)
    staff_purpose = "Atender la solicitud SDE-2026-000888 de la ciudadana"
    before = graphql(http, STATISTICS)["data"]["statistics"]
    assert before == {"citizensWithProfile": 2, "erasedProfiles": 0}
    token = fresh_hub.token("maria")

    unconfirmed = graphql(http, DELETE, token=token, c=False)["data"]["deleteMyData"]
    assert unconfirmed["erased"] is False
    assert [(e["field"], e["code"]) for e in unconfirmed["errors"]] == [
        ("confirm", "CONFIRMATION_REQUIRED")
    ]
    done = graphql(http, DELETE, token=token, c=True)["data"]["deleteMyData"]
    assert done == {"erased": True, "errors": []}

    me = graphql(http, ME, token=token)["data"]["me"]
    assert me["profile"] is None and me["consents"] == []
    assert any(e["action"] == "erase_personal_data" for e in me["accessLog"])
    staff = graphql(
        http, STAFF_READ, token=fresh_hub.token("ana"), subject=MARIA.subject, purpose=staff_purpose
    )
    assert staff["data"]["citizen"] is None and codes(staff) == ["FORBIDDEN"]
    exported = graphql(http, EXPORT, token=token)["data"]["exportMyData"]
    files = _unzip(base64.b64decode(exported["zipBase64"]))
    assert json.loads(files["mis-datos.json"])["profile"] is None
    answers = [json.dumps(me), json.dumps(staff), *files.values()]
    for text in answers:
        assert personal_values_in(text, only=(MARIA,)) - {"maria's name"} == set()
    # Only the display name the provider gives at sign-in remains (`me.displayName`).
    assert personal_values_in(json.dumps(me["profile"]), only=(MARIA,)) == set()
    # A second cancellation finds nothing to erase.
    again = graphql(http, DELETE, token=token, c=True)["data"]["deleteMyData"]
    assert again == {"erased": False, "errors": []}

    # Public statistics still count her record, without her; Juan is untouched.
    after = graphql(http, STATISTICS)["data"]["statistics"]
    assert after == {"citizensWithProfile": 2, "erasedProfiles": 1}
    juan = graphql(http, ME, token=fresh_hub.token("juan"))["data"]["me"]["profile"]
    assert juan["cedula"] == JUAN.cedula

    (erased,) = [
        e for e in fresh_hub.audit(data_subject=MARIA.subject) if e.action == "erase_personal_data"
    ]
    assert sorted(erased.fields) == sorted(["name", "cedula", "phone", "email", "address"])
    assert verify_audit(fresh_hub.database_url)
    # Her values are gone from the database file itself, not only from the answers.
    database = Path(fresh_hub.database_url.removeprefix("sqlite+aiosqlite:///"))
    raw = database.read_bytes().decode("latin-1")
    for value in (MARIA.cedula, MARIA.phone, MARIA.email):
        assert value not in raw
    assert JUAN.cedula in raw  # (the check would see a value that is there)


def test_anonymous_callers_can_change_nothing(http: httpx.Client, fresh_hub: PrivacyHub) -> None:
    update = graphql(http, UPDATE_PROFILE, input=MARIA.profile_input())
    export = graphql(http, EXPORT)
    delete = graphql(http, DELETE, c=True)
    for payload in (
        update["data"]["updateMyProfile"],
        export["data"]["exportMyData"],
        delete["data"]["deleteMyData"],
    ):
        assert [e["code"] for e in payload["errors"]] == ["UNAUTHENTICATED"]
    assert personal_values_in(json.dumps([update, export, delete])) == set()
    assert fresh_hub.audit() == []
