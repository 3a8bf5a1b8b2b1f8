"""What a `soap` source and its bindings are configured with (the kind's documented spec)."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connectors.base import SourceConfig
from connectors.mapping import MappedBindingConfig
from connectors.secrets import EnvSecret, require_reference

SoapVersion = Literal["1.1", "1.2"]

_REFERENCE_EXPECTED = 'a secret reference such as {"$env": "VENDOR_SECRET"}, never a literal value'


def _secret_reference(value: Any) -> Any:
    return require_reference(value, _REFERENCE_EXPECTED)


def _no_credentials_in_url(value: str | None) -> str | None:
    if value is not None and "://" in value:
        parts = urlsplit(value)
        if parts.username is not None or parts.password is not None:
            raise ValueError(
                "a URL without user:password@ (use `http_basic` with an $env password)"
            )
    return value


class HttpBasicAuth(BaseModel):
    """HTTP basic authentication for the WSDL download and every call."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    username: str = Field(min_length=1)
    password: EnvSecret = Field(description='The password by reference: {"$env": NAME}.')

    @field_validator("password", mode="before")
    @classmethod
    def _password_is_a_reference(cls, value: Any) -> Any:
        return _secret_reference(value)


class SoapSourceConfig(SourceConfig):
    """A vendor's SOAP service, described by its WSDL."""

    connector: Literal["soap"] = "soap"
    wsdl: str = Field(
        min_length=1,
        description="The WSDL: an http(s) URL, or a file path (relative paths start at the "
        "configuration directory).",
    )
    endpoint: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="The service address to call, overriding the WSDL's soap:address "
        "(vendors' WSDLs often name an internal host).",
    )
    soap_version: SoapVersion | None = Field(
        default=None,
        description="Which SOAP binding of the WSDL to use, 1.1 or 1.2; by default the "
        "first SOAP port of the first service.",
    )
    username: str | None = Field(
        default=None, min_length=1, description="WS-Security UsernameToken user name."
    )
    password: EnvSecret | None = Field(
        default=None, description='WS-Security password by reference: {"$env": NAME}.'
    )
    password_digest: bool = Field(
        default=False, description="Send the UsernameToken password as a digest, not as text."
    )
    http_basic: HttpBasicAuth | None = Field(
        default=None, description="HTTP basic authentication (username, $env password)."
    )
    max_concurrent_calls: int = Field(
        default=8,
        ge=1,
        le=64,
        description="How many calls may be in flight at once when records are fetched one "
        "by one (a binding without a batch operation).",
    )

    @field_validator("soap_version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        # YAML reads `soap_version: 1.2` as a number.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"{value:.1f}"
        return value

    @field_validator("password", mode="before")
    @classmethod
    def _password_is_a_reference(cls, value: Any) -> Any:
        return _secret_reference(value)

    @field_validator("wsdl", "endpoint")
    @classmethod
    def _url_has_no_credentials(cls, value: str | None) -> str | None:
        return _no_credentials_in_url(value)

    @model_validator(mode="after")
    def _username_with_password(self) -> SoapSourceConfig:
        if (self.username is None) != (self.password is None):
            raise ValueError("`username` and `password` together (WS-Security), or neither")
        return self


class SoapBindingConfig(MappedBindingConfig):
    """Which operations serve a capability, their constant arguments, where the records are.

    `fetch_many` uses `batch_operation` when bound (one call for every id), else concurrent
    `get_operation` calls (one per id), else `list_operation` and keeps the ids asked for.
    """

    list_operation: str = Field(
        min_length=1, description="Returns every record of the municipality."
    )
    batch_operation: str | None = Field(
        default=None, min_length=1, description="Takes a list of ids; returns those records."
    )
    get_operation: str | None = Field(
        default=None, min_length=1, description="Takes one id; returns that record or nothing."
    )
    arguments: dict[str, Any] = Field(
        default_factory=dict,
        description="Constant arguments passed to every operation, e.g. {municipio: SDE}.",
    )
    ids_argument: str | None = Field(
        default=None,
        min_length=1,
        description="The batch operation's argument for the list of ids; by default its one "
        "input not given in `arguments`.",
    )
    id_argument: str | None = Field(
        default=None,
        min_length=1,
        description="The get operation's argument for the id; by default its one input not "
        "given in `arguments`.",
    )
    result_path: str | None = Field(
        default=None,
        min_length=1,
        description="Dotted path to the list of records inside the list and batch responses, "
        "e.g. `servicios.Servicio` (zeep already unwraps a response with a single child).",
    )
    get_result_path: str | None = Field(
        default=None,
        min_length=1,
        description="Dotted path to the record inside the get operation's response.",
    )
