"""Settings from the environment (prefix `PLANASMUN_`); the defaults run the embedded demo."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from gateway.identity.settings import IdentitySettings
from gateway.outbox_delivery.settings import DeliverySettings, SmtpSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"


class Settings(BaseSettings):
    """Every knob of the hub. Documented here because this is the reference."""

    #: Nested settings from `PLANASMUN_<FIELD>__<SUBFIELD>`, e.g. PLANASMUN_IDENTITY__ISSUER.
    model_config = SettingsConfigDict(
        env_prefix="PLANASMUN_", extra="ignore", env_nested_delimiter="__"
    )

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'planasmun.db'}",
        description="The hub store (SQLAlchemy async URL): SQLite by default, "
        "postgresql+asyncpg://… in production.",
    )
    municipalities_dir: Path = Field(
        default=CONFIG_DIR / "municipalities",
        description="Directory holding one <id>.yaml per local government.",
    )
    demo: bool = Field(
        default=True, description="Load the demo catalogue into the hub store at start-up."
    )
    demo_catalogue_dir: Path = Field(default=CONFIG_DIR / "demo" / "catalogue")
    demo_data_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "demo",
        description="Where the demo's simulated systems keep their databases and workbooks.",
    )
    demo_systems: Literal["embedded", "external"] = Field(
        default="embedded",
        description="'embedded': `serve` starts the simulated municipal systems itself; "
        "'external': they run elsewhere (benchmarks), found through PLANASMUN_DEMO_* ports.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    max_query_depth: int = Field(default=10, ge=2)
    max_aliases: int = Field(default=15, ge=1)
    max_tokens: int = Field(default=2000, ge=50)
    readiness_cache_seconds: float = Field(default=5.0, ge=0)
    response_cache_seconds: float = Field(
        default=10.0,
        ge=0,
        description="Lifetime of cached answers to repeated public queries; 0 turns it off.",
    )
    behind_https: bool = Field(
        default=False, description="Send HSTS and mark cookies Secure (set behind TLS)."
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis shared by every worker and host (redis://host:port/db): rate-limit "
        "counters and live updates of requests (pub/sub). Unset: each process keeps its own.",
    )
    request_forms_file: Path = Field(
        default=CONFIG_DIR / "request-forms.yaml",
        description="The questions each kind of service's requests ask (checked at start-up).",
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Other sites (scheme://host[:port], comma-separated) whose pages may open "
        "the GraphQL WebSocket; the hub's own pages always may.",
    )
    rate_limit_enabled: bool = Field(default=True, description="Apply the rate limits below.")
    rate_limit_per_minute_ip: int = Field(
        default=300, ge=1, description="Requests per minute from one client address (IPv6: /64)."
    )
    rate_limit_burst_ip: int = Field(
        default=100, ge=1, description="Of those, how many one address may send at once."
    )
    rate_limit_per_minute_key: int = Field(
        default=1200, ge=1, description="Requests per minute with one API key (X-Api-Key)."
    )
    rate_limit_burst_key: int = Field(
        default=300, ge=1, description="Of those, how many one key may send at once."
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Proxies (addresses or networks, comma-separated) whose X-Forwarded-For "
        "names the client; from anyone else the header is ignored.",
    )
    max_query_cost: int = Field(
        default=5000,
        ge=1,
        description="Largest estimated query cost (see gateway/query_cost.py for the model).",
    )
    max_body_bytes: int = Field(
        default=1 << 20, ge=1024, description="Largest request body, in bytes (413 past it)."
    )
    identity: IdentitySettings = Field(
        default_factory=IdentitySettings,
        description="Login (OpenID Connect) and the API's bearer tokens: "
        "PLANASMUN_IDENTITY__ISSUER, PLANASMUN_IDENTITY__CLIENT_ID, … "
        "(documented in gateway/identity/settings.py).",
    )
    public_base_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
        description="The hub's public address (e.g. https://planasmun.gob.do), for links in "
        "e-mails; unset: identity.redirect_base_url, else http://HOST:PORT.",
    )
    delivery: DeliverySettings = Field(
        default_factory=DeliverySettings,
        description="The outbox's delivery worker: PLANASMUN_DELIVERY__POLL_SECONDS, … "
        "(documented in gateway/outbox_delivery/settings.py).",
    )
    smtp: SmtpSettings = Field(
        default_factory=SmtpSettings,
        description="The mail server for citizens' e-mails: PLANASMUN_SMTP__HOST, "
        "PLANASMUN_SMTP__PORT, … (gateway/outbox_delivery/settings.py). Unset host: e-mails wait.",
    )

    @field_validator("trusted_proxies", "allowed_origins", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry, strict=False)  # ValueError names the bad entry
        return value


def public_base_url(settings: Settings) -> str:
    """Where citizens reach this hub (links in e-mails)."""
    base = settings.public_base_url or settings.identity.redirect_base_url
    return (base or f"http://{settings.host}:{settings.port}").rstrip("/")


def export_demo_defaults(settings: Settings) -> None:
    """Let the demo's municipality files find the simulated systems' files by default."""
    if settings.demo:
        os.environ.setdefault("PLANASMUN_DEMO_DATA_DIR", str(settings.demo_data_dir.absolute()))
