"""The citizens' e-mails: every sentence from the `emails` catalogue in both languages,
Spanish first, and a Message-ID that a resend keeps."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accessibility import Language
from gateway.outbox_delivery.emails import MESSAGES, SEPARATOR, compose
from gateway.outbox_delivery.settings import SmtpSettings
from store.outbox import OutboxItem, OutboxKind, OutboxState
from store.requests import (
    DeliveryState,
    RequestStatus,
    ServiceRequest,
    StatusChange,
)
from web.i18n import EMAILS_DOMAIN, read_catalogue

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
NOW = dt.datetime(2026, 11, 27, 14, 30, tzinfo=dt.UTC)
SMTP = SmtpSettings(host="127.0.0.1", from_address="PLANASMUN <no-responder@planasmun.test>")


@pytest.mark.parametrize("language", Language)
def test_the_catalogue_holds_exactly_the_messages_in_use(language: Language) -> None:
    catalogue = read_catalogue(language, EMAILS_DOMAIN)
    assert not catalogue.fuzzy
    held = {m.id: m.string for m in catalogue if m.id}
    assert set(held) == set(MESSAGES)
    for message_id, text in held.items():
        assert isinstance(message_id, str), message_id
        assert isinstance(text, str), message_id
        assert text.strip(), message_id
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(message_id))
    assert [(m.id, errors) for m, errors in catalogue.check()] == []


def _request(status: RequestStatus, note: str | None = None) -> ServiceRequest:
    history = [StatusChange(RequestStatus.RECIBIDA, NOW, None)]
    if status is not RequestStatus.RECIBIDA:
        history.append(StatusChange(status, NOW, note))
    return ServiceRequest(
        id="r" * 32,
        tracking_number="SDE-2026-000042",
        municipality_id="santo-domingo-este",
        service_id="certificado-uso-suelo",
        service_name="Certificado de uso de suelo",
        status=status,
        submitted_at=NOW,
        updated_at=NOW,
        expected_by=dt.date(2026, 12, 18),
        delivery=DeliveryState.DELIVERED,
        upstream_ref="7",
        history=tuple(history),
        description="Texto personal que nunca va en un correo",
    )


def _item(template: str, status: RequestStatus) -> OutboxItem:
    return OutboxItem(
        id="0123456789abcdef0123456789abcdef",
        kind=OutboxKind.EMAIL,
        municipality_id="santo-domingo-este",
        request_id="r" * 32,
        payload={"template": template, "status": status.value},
        state=OutboxState.PENDING,
        attempts=1,
        next_attempt_at=NOW,
        created_at=NOW,
    )


def test_a_confirmation_in_spanish_then_english() -> None:
    item = _item("request_received", RequestStatus.RECIBIDA)
    message = compose(
        item, _request(RequestStatus.RECIBIDA), "maria@example.org", SMTP, "https://p.test/"
    )
    assert message["Subject"] == (
        "Solicitud SDE-2026-000042 recibida / Request SDE-2026-000042 received"
    )
    assert message["Message-ID"] == "<outbox-0123456789abcdef0123456789abcdef@planasmun.test>"
    assert message["Auto-Submitted"] == "auto-generated"
    spanish, english = message.get_content().split(SEPARATOR)
    assert "Hemos recibido su solicitud SDE-2026-000042" in spanish
    assert "Servicio: Certificado de uso de suelo" in spanish
    assert "Estado: Recibida" in spanish
    assert "Fecha estimada de respuesta: 2026-12-18" in spanish
    assert "https://p.test/seguimiento/SDE-2026-000042" in spanish
    assert "We have received your request SDE-2026-000042" in english
    assert "Status: Received" in english
    assert "Texto personal" not in message.as_string()
    # The same item composed again (a resend after a crash) is recognisably the same.
    again = compose(
        item, _request(RequestStatus.RECIBIDA), "maria@example.org", SMTP, "https://p.test"
    )
    assert again["Message-ID"] == message["Message-ID"]
    assert again["Date"] == message["Date"]


def test_a_status_change_names_the_status_and_the_public_note() -> None:
    message = compose(
        _item("status_changed", RequestStatus.RECHAZADA),
        _request(RequestStatus.RECHAZADA, "Falta el plano del solar"),
        "maria@example.org",
        SMTP,
        "https://p.test",
    )
    assert message["Subject"] == (
        "Solicitud SDE-2026-000042: Rechazada / Request SDE-2026-000042: Rejected"
    )
    body = message.get_content()
    assert "El estado de su solicitud SDE-2026-000042 ha cambiado." in body
    assert "Nota del gobierno local: Falta el plano del solar" in body
    assert "Note from the local government: Falta el plano del solar" in body
    assert "Fecha estimada" not in body  # closed: no estimate


def test_an_unknown_template_is_refused() -> None:
    with pytest.raises(KeyError):
        compose(
            _item("mystery", RequestStatus.RECIBIDA),
            _request(RequestStatus.RECIBIDA),
            "maria@example.org",
            SMTP,
            "https://p.test",
        )
