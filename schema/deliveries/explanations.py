"""What a failed delivery's error code means, in plain words for a supervisor.

The codes are those the delivery worker records (`gateway.outbox_delivery.worker`: its own, the
connector error tree's `connectors.errors`, and the mailer's): codes only, never a
message that could quote a citizen's data, so the words are the hub's own (the `accounts`
catalogue). A cause only the platform's technical team can fix ends by saying so.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from words import Message

EXPLANATIONS: Mapping[str, Message] = MappingProxyType(
    {
        "UPSTREAM_MAPPING": Message(
            "accounts",
            "The local government's system could not accept the request as it is: one of "
            "its details does not fit what that system expects. Correct the local "
            "government's configuration on the platform, or the detail, then retry.",
        ),
        "SOURCE_MISCONFIGURED": Message(
            "accounts",
            "The platform's connection to the local government's system is misconfigured. "
            "Tell the platform's technical team before retrying.",
        ),
        "NO_REQUEST_WRITER": Message(
            "accounts",
            "The platform does not know which of the local government's systems to send "
            "requests to. Tell the platform's technical team before retrying.",
        ),
        "REQUEST_NOT_FOUND": Message(
            "accounts",
            "The request no longer exists on the platform (it was cancelled, for example): "
            "there is nothing to send.",
        ),
        "NO_REQUEST": Message(
            "accounts", "The delivery belongs to no request: there is nothing to send."
        ),
        "SMTP_RECIPIENT_REFUSED": Message(
            "accounts",
            "The mail server refused the person's address: it may not exist. Retry once "
            "the person has corrected their email address.",
        ),
        "EMAIL_TEMPLATE_UNKNOWN": Message(
            "accounts",
            "The platform does not recognise this kind of email. Tell the platform's "
            "technical team before retrying.",
        ),
        "UNKNOWN_KIND": Message(
            "accounts",
            "The platform does not know how to make this kind of delivery. Tell the "
            "platform's technical team before retrying.",
        ),
        "UPSTREAM_ERROR": Message(
            "accounts", "The local government's system answered with an error."
        ),
        "UPSTREAM_UNAVAILABLE": Message(
            "accounts", "The local government's system was not available."
        ),
        "UPSTREAM_TIMEOUT": Message(
            "accounts", "The local government's system took too long to answer."
        ),
        "UPSTREAM_REFUSED": Message(
            "accounts",
            "The local government's system refused the request as it is (its reason is "
            "shown): for example, the procedure is inactive there or a detail breaks one of "
            "its rules. The citizen has been told. Correct the cause in that system or on "
            "the platform, then retry; or leave it, if the request cannot be taken.",
        ),
    }
)

UNKNOWN = Message(
    "accounts",
    "The delivery could not be completed. Tell the platform's technical team before retrying.",
)


def explain(code: str | None) -> Message:
    """The words for `code`; an unknown code (or none) gets a general explanation."""
    return EXPLANATIONS.get(code or "", UNKNOWN)
