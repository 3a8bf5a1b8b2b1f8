"""Settings of the outbox's delivery: the worker's pace and the mail server.

Embedded in the hub's `Settings` as `delivery` and `smtp`, read from the environment with
a double underscore between the levels, e.g. `PLANASMUN_SMTP__HOST=smtp.example.gob.do`
or `PLANASMUN_DELIVERY__POLL_SECONDS=1`. The mail server's password is named by the
variable that holds it (`{"$env": "NAME"}`), never written in settings.
"""

from __future__ import annotations

import email.utils
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors.secrets import EnvSecret

__all__ = ["DeliverySettings", "SmtpSettings"]


class SmtpSettings(BaseModel):
    """The mail server that sends citizens their confirmations and status changes.

    Unset `host`: no e-mail is sent, and e-mails wait in the outbox (nothing is lost)
    until a server is configured.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str | None = Field(
        default=None,
        description="The SMTP server's host name. Unset: e-mails stay queued in the outbox.",
    )
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = Field(
        default="starttls",
        description="'starttls' (port 587), 'ssl' (implicit TLS, port 465), or 'none' "
        "(a relay on the same host or a private network only).",
    )
    from_address: str = Field(
        default="PLANASMUN <no-responder@planasmun.gob.do>",
        description="The From header: an address, optionally with a display name.",
    )
    username: str | None = Field(
        default=None, description="Log in with this user name (and `password`) if set."
    )
    password: EnvSecret = Field(
        default=EnvSecret.model_validate({"$env": "PLANASMUN_SMTP_PASSWORD"}),
        description="The SMTP password, by reference: the variable that holds it.",
    )
    timeout_seconds: float = Field(default=15.0, gt=0)

    @field_validator("from_address")
    @classmethod
    def _an_address(cls, value: str) -> str:
        _, address = email.utils.parseaddr(value)
        if "@" not in address:
            raise ValueError("expected an e-mail address such as 'Name <user@example.org>'")
        return value

    @property
    def enabled(self) -> bool:
        return self.host is not None

    @property
    def message_id_domain(self) -> str:
        """The right-hand side of every Message-ID: the From address's domain."""
        return email.utils.parseaddr(self.from_address)[1].rpartition("@")[2]


class DeliverySettings(BaseModel):
    """How each hub process's delivery worker works the outbox."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(
        default=True,
        description="Run a delivery worker in this process. Several processes may run one: "
        "each item is leased to one worker at a time.",
    )
    poll_seconds: float = Field(
        default=2.0,
        gt=0,
        description="Longest pause between two looks at the outbox (a submit in this "
        "process wakes the worker at once).",
    )
    batch_size: int = Field(default=20, ge=1, le=500, description="Items claimed at a time.")
    concurrency: int = Field(default=8, ge=1, le=100, description="Items sent at the same time.")
    lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long a claimed item is this worker's; if the process dies, another "
        "worker takes the item over after this.",
    )
    first_backoff_seconds: float = Field(
        default=1.0, gt=0, description="Pause after a first failed attempt; it then doubles."
    )
    max_backoff_seconds: float = Field(
        default=300.0, gt=0, description="Longest pause between two attempts."
    )
    status_poll_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often the requests' status is read back from the municipalities' systems.",
    )
