"""E-mails to citizens about their requests: the confirmation, each status change, and
the news that the local government's system refused one (with what it said).

Plain text, Spanish first with the English below, every sentence from the `emails`
message catalogue (words/locale/*/LC_MESSAGES/emails.po). The recipient is read from the
citizen's profile when the e-mail is sent, never stored in the outbox. Each message's
Message-ID is derived from its outbox item, so that a message sent again after a crash
(the server took it, the worker died before recording that) carries the same id and a
mail client or a person can tell it is the same message.

Nothing here logs: an address or a message's text must never reach a log.
"""

from __future__ import annotations

import dataclasses
import email.utils
from email.message import EmailMessage

import aiosmtplib

from accessibility import Language
from gateway.outbox_delivery.settings import SmtpSettings
from store.outbox import OutboxItem
from store.requests import RequestStatus, ServiceRequest
from words import N_, translations

__all__ = [
    "MESSAGES",
    "TEMPLATES",
    "Mailer",
    "PermanentMailError",
    "TransientMailError",
    "compose",
    "message_id",
    "tracking_url",
]

#: The e-mails' catalogue, kept apart from the pages' texts.
EMAILS_DOMAIN = "emails"

#: Subjects and opening sentences by the outbox payload's `template`.
SUBJECTS = {
    "request_received": N_("Request %(number)s received"),
    "status_changed": N_("Request %(number)s: %(status)s"),
    "request_refused": N_("Request %(number)s was not accepted by the local government's system"),
}
OPENINGS = {
    "request_received": N_(
        "We have received your request %(number)s. Keep this number: with it you can "
        "see how your request is going."
    ),
    "status_changed": N_("The status of your request %(number)s has changed."),
    "request_refused": N_(
        "The local government's system did not accept your request %(number)s as it was "
        "sent, so it has not reached their staff."
    ),
}
TEMPLATES = frozenset(SUBJECTS)
SERVICE = N_("Service: %(service)s")
STATUS = N_("Status: %(status)s")
NOTE = N_("Note from the local government: %(note)s")
TRACK = N_("See your request at any time: %(url)s")
EXPECTED = N_("Expected by: %(date)s")
REFUSAL_REASON = N_("What their system said: %(reason)s")
REFUSAL_WHAT_TO_DO = N_(
    "What you can do: check the service's requirements and send a new request, or contact "
    "the local government. Their staff can see why it was not accepted and may send it "
    "again once it is corrected."
)
AUTOMATIC = N_("This message was sent automatically by PLANASMUN; please do not reply to it.")
STATUS_LABELS = {
    RequestStatus.RECIBIDA: N_("Received"),
    RequestStatus.EN_REVISION: N_("Under review"),
    RequestStatus.EN_PROCESO: N_("In progress"),
    RequestStatus.RESUELTA: N_("Resolved"),
    RequestStatus.RECHAZADA: N_("Rejected"),
}
#: Every message id in use (the catalogue test checks both languages hold exactly these).
MESSAGES: frozenset[str] = frozenset(
    {*SUBJECTS.values(), *OPENINGS.values(), *STATUS_LABELS.values()}
    | {SERVICE, STATUS, NOTE, TRACK, EXPECTED, AUTOMATIC, REFUSAL_REASON, REFUSAL_WHAT_TO_DO}
)
#: Between the Spanish text and the English one.
SEPARATOR = "-" * 40


class TransientMailError(Exception):
    """The mail server could not take the message now: try again later."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class PermanentMailError(Exception):
    """The mail server refused the message for good (e.g. the address does not exist)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def tracking_url(base_url: str, number: str) -> str:
    return f"{base_url.rstrip('/')}/seguimiento/{number}"


def message_id(item: OutboxItem, domain: str) -> str:
    """Stable for one outbox item: the same message sent twice has the same id."""
    return f"<outbox-{item.id}@{domain}>"


@dataclasses.dataclass(frozen=True, slots=True)
class _Facts:
    template: str
    number: str
    service: str
    status: RequestStatus
    note: str | None
    expected: str | None
    url: str
    #: What the local government's system said when it refused the request.
    reason: str | None = None


def _text(language: Language, facts: _Facts) -> tuple[str, str]:
    """(subject, body) in one language."""
    catalogue = translations(language.value, EMAILS_DOMAIN)
    gettext = catalogue.gettext
    status = gettext(STATUS_LABELS[facts.status])
    subject = gettext(SUBJECTS[facts.template]) % {"number": facts.number, "status": status}
    lines = [
        gettext(OPENINGS[facts.template]) % {"number": facts.number},
        "",
        gettext(SERVICE) % {"service": facts.service},
        gettext(STATUS) % {"status": status},
    ]
    if facts.template == "request_refused":
        if facts.reason:
            lines.append(gettext(REFUSAL_REASON) % {"reason": facts.reason})
        lines += ["", gettext(REFUSAL_WHAT_TO_DO)]
    elif facts.note:
        lines.append(gettext(NOTE) % {"note": facts.note})
    closed = (RequestStatus.RESUELTA, RequestStatus.RECHAZADA)
    if facts.expected and facts.status not in closed and facts.template != "request_refused":
        lines.append(gettext(EXPECTED) % {"date": facts.expected})
    lines += ["", gettext(TRACK) % {"url": facts.url}, "", gettext(AUTOMATIC)]
    return subject, "\n".join(lines)


def compose(
    item: OutboxItem,
    request: ServiceRequest,
    recipient: str,
    smtp: SmtpSettings,
    base_url: str,
) -> EmailMessage:
    """The message for an EMAIL outbox item; `KeyError` for an unknown template."""
    template = str(item.payload.get("template", ""))
    if template not in TEMPLATES:
        raise KeyError(template)
    status = RequestStatus(str(item.payload.get("status", request.status.value)))
    # The public note written with this change (the latest one into that status).
    note = next((c.note for c in reversed(request.history) if c.status == status), None)
    facts = _Facts(
        template=template,
        number=request.tracking_number,
        service=request.service_name,
        status=status,
        note=note,
        expected=None if request.expected_by is None else request.expected_by.isoformat(),
        url=tracking_url(base_url, request.tracking_number),
        reason=request.refusal_reason,
    )
    spanish_subject, spanish = _text(Language.SPANISH, facts)
    english_subject, english = _text(Language.ENGLISH, facts)
    message = EmailMessage()
    message["From"] = smtp.from_address
    message["To"] = recipient
    message["Subject"] = f"{spanish_subject} / {english_subject}"
    message["Date"] = email.utils.format_datetime(item.created_at)
    message["Message-ID"] = message_id(item, smtp.message_id_domain)
    message["Content-Language"] = f"{Language.SPANISH.tag}, {Language.ENGLISH.tag}"
    # RFC 3834: mark it as automatic, so that autoresponders do not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(f"{spanish}\n\n{SEPARATOR}\n\n{english}\n")
    return message


class Mailer:
    """Sends one message at a time through the configured SMTP server."""

    def __init__(self, smtp: SmtpSettings) -> None:
        if smtp.host is None:
            raise ValueError("no SMTP host configured")
        self.settings = smtp
        self.host = smtp.host

    async def send(self, message: EmailMessage) -> None:
        smtp = self.settings
        password = None
        if smtp.username is not None:
            try:
                password = smtp.password.reveal()
            except LookupError:
                raise TransientMailError("SMTP_PASSWORD_MISSING") from None
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=smtp.port,
                username=smtp.username,
                password=password,
                use_tls=smtp.security == "ssl",
                start_tls=smtp.security == "starttls",
                timeout=smtp.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [error.code for error in exc.recipients]
            if codes and all(500 <= code < 600 for code in codes):
                raise PermanentMailError("SMTP_RECIPIENT_REFUSED") from None
            raise TransientMailError("SMTP_RECIPIENT_DEFERRED") from None
        except aiosmtplib.SMTPAuthenticationError:
            raise TransientMailError("SMTP_AUTHENTICATION") from None
        except aiosmtplib.SMTPResponseException as exc:
            code = "SMTP_REJECTED" if 500 <= exc.code < 600 else "SMTP_DEFERRED"
            # A 5xx for the message as a whole (policy, size) may be the server's
            # configuration rather than the message: retried with backoff, never dropped.
            raise TransientMailError(code) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            raise TransientMailError("SMTP_UNAVAILABLE") from None
