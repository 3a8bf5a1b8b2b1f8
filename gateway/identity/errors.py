"""The identity package's exceptions, grouped by what the caller should do::

    IdentityError
    ├── IdentityNotConfigured   no provider is configured: login and bearer tokens are off
    ├── ProviderUnavailable     the provider did not answer, or answered nonsense: retry later
    ├── TokenRejected           a bearer or ID token failed verification: get a new one
    └── LoginFailed             the login callback was refused: start the login again

Each message is safe to show to the caller: none carries a token, a secret, a claim
value or a stack trace.
"""

from __future__ import annotations

import enum

from words import Message


class IdentityError(Exception):
    pass


class IdentityNotConfigured(IdentityError):
    pass


class ProviderUnavailable(IdentityError):
    pass


class TokenProblem(enum.StrEnum):
    """What was wrong with a token; the value is the `reason` API clients see."""

    MALFORMED = "malformed"
    ALGORITHM = "algorithm"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    ISSUER = "issuer"
    AUDIENCE = "audience"
    MISSING_CLAIM = "missing_claim"
    NONCE = "nonce"
    NOT_CONFIGURED = "not_configured"


#: What each problem tells the caller: the 401's JSON body gives it in Spanish and in
#: English, `WWW-Authenticate` in English (so ASCII, and without a double quote).
TOKEN_PROBLEMS: dict[TokenProblem, Message] = {
    TokenProblem.MALFORMED: Message("gateway", "The access token is not a well-formed JWT."),
    TokenProblem.ALGORITHM: Message(
        "gateway", "The access token uses a signature algorithm that is not allowed: only RS256 is."
    ),
    TokenProblem.BAD_SIGNATURE: Message(
        "gateway",
        "The access token's signature is not valid: the identity provider did not sign it.",
    ),
    TokenProblem.EXPIRED: Message("gateway", "The access token has expired. Get a new one."),
    TokenProblem.NOT_YET_VALID: Message(
        "gateway", "The access token is not valid yet (check the system clock)."
    ),
    TokenProblem.ISSUER: Message(
        "gateway", "The access token was issued by another identity provider (wrong issuer)."
    ),
    TokenProblem.AUDIENCE: Message(
        "gateway", "The access token is not meant for this API (wrong audience)."
    ),
    TokenProblem.MISSING_CLAIM: Message(
        "gateway", "The access token lacks a required claim (sub, exp, iss or aud)."
    ),
    TokenProblem.NONCE: Message("gateway", "The ID token does not belong to this sign-in (nonce)."),
    TokenProblem.NOT_CONFIGURED: Message(
        "gateway", "This server accepts no tokens: it has no identity provider configured."
    ),
}
#: (Spanish, English) of each problem.
TOKEN_MESSAGES: dict[TokenProblem, tuple[str, str]] = {
    problem: (message.es, message.en) for problem, message in TOKEN_PROBLEMS.items()
}


class TokenRejected(IdentityError):
    def __init__(self, problem: TokenProblem) -> None:
        self.problem = problem
        super().__init__(self.message_en)

    @property
    def message(self) -> Message:
        return TOKEN_PROBLEMS[self.problem]

    @property
    def message_es(self) -> str:
        return self.message.es

    @property
    def message_en(self) -> str:
        return self.message.en


class LoginProblem(enum.StrEnum):
    """Why a login callback was refused; the error page explains each one."""

    #: No login was started in this browser, or `state` does not match it.
    STATE = "state"
    #: The provider refused the code: used already, expired, or not for this client.
    CODE = "code"
    #: The person chose not to sign in at the provider.
    DENIED = "denied"
    #: The ID token failed verification.
    ID_TOKEN = "id_token"  # noqa: S105 (a name, not a secret)
    #: The provider could not be reached.
    UNAVAILABLE = "unavailable"
    #: Login is off: no provider is configured.
    NOT_CONFIGURED = "not_configured"


class LoginFailed(IdentityError):
    def __init__(self, problem: LoginProblem, detail: str = "") -> None:
        self.problem = problem
        #: For the log only (never shown): which check failed.
        self.detail = detail
        super().__init__(f"login refused ({problem.value}){': ' + detail if detail else ''}")
