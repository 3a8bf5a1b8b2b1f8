"""Verifying the provider's JWTs: access tokens for the API and ID tokens at login.

Only RS256, only keys the provider publishes, and every registered claim checked, each
failure named (`TokenProblem`) so that a client can tell an expired token from one meant
for another API. Nothing here logs a token or a claim value.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError

from gateway.identity.errors import IdentityNotConfigured, TokenProblem, TokenRejected
from gateway.identity.provider import OpenIDProvider
from gateway.identity.settings import IdentitySettings

#: The one signature algorithm accepted: asymmetric, so only the provider can sign.
ALGORITHMS = ("RS256",)
#: Longer than any real token; anything bigger is refused before it is parsed.
MAX_TOKEN_LENGTH = 16_384

Claims = dict[str, Any]


def unverified_header(token: str) -> dict[str, Any]:
    """The JOSE header, read without verifying anything (to choose the key)."""
    parts = token.split(".")
    if len(token) > MAX_TOKEN_LENGTH or len(parts) != 3:
        raise TokenRejected(TokenProblem.MALFORMED)
    try:
        raw = base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4))
        header = json.loads(raw)
    except (binascii.Error, ValueError):
        raise TokenRejected(TokenProblem.MALFORMED) from None
    if not isinstance(header, dict):
        raise TokenRejected(TokenProblem.MALFORMED)
    return header


class TokenVerifier:
    def __init__(
        self,
        provider: OpenIDProvider,
        settings: IdentitySettings,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.provider = provider
        self.settings = settings
        self._clock = clock

    async def verify_access_token(self, token: str) -> Claims:
        """Claims of a bearer token presented to the API (audience `api_audience`)."""
        return await self.verify(token, audience=self.settings.api_audience)

    async def verify_id_token(self, token: str, *, nonce: str) -> Claims:
        """Claims of the ID token of a login this browser started with `nonce`."""
        claims = await self.verify(token, audience=self.settings.client_id)
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        # OpenID Connect Core §3.1.3.7: with several audiences, azp names this client.
        if len(audiences) > 1 and claims.get("azp") != self.settings.client_id:
            raise TokenRejected(TokenProblem.AUDIENCE)
        found = claims.get("nonce")
        if not isinstance(found, str) or not hmac.compare_digest(found, nonce):
            raise TokenRejected(TokenProblem.NONCE)
        return claims

    async def verify(self, token: str, *, audience: str) -> Claims:
        try:
            issuer = self.provider.issuer
        except IdentityNotConfigured:
            raise TokenRejected(TokenProblem.NOT_CONFIGURED) from None
        header = unverified_header(token)
        if header.get("alg") not in ALGORITHMS:
            raise TokenRejected(TokenProblem.ALGORITHM)
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise TokenRejected(TokenProblem.MALFORMED)
        key = await self.provider.signing_key(kid)
        if key is None:
            raise TokenRejected(TokenProblem.BAD_SIGNATURE)
        try:
            claims = jwt.decode(token, key, algorithms=list(ALGORITHMS)).claims
        except BadSignatureError:
            raise TokenRejected(TokenProblem.BAD_SIGNATURE) from None
        except JoseError:
            raise TokenRejected(TokenProblem.MALFORMED) from None
        self.check_claims(claims, issuer=issuer, audience=audience)
        return claims

    def check_claims(self, claims: Mapping[str, Any], *, issuer: str, audience: str) -> None:
        subject, expires = claims.get("sub"), _time(claims.get("exp"))
        if not isinstance(subject, str) or not subject or expires is None:
            raise TokenRejected(TokenProblem.MISSING_CLAIM)
        if "iss" not in claims or "aud" not in claims:
            raise TokenRejected(TokenProblem.MISSING_CLAIM)
        if claims["iss"] != issuer:
            raise TokenRejected(TokenProblem.ISSUER)
        found = claims["aud"]
        audiences = [found] if isinstance(found, str) else found
        if not isinstance(audiences, list) or audience not in audiences:
            raise TokenRejected(TokenProblem.AUDIENCE)
        now = self._clock()
        skew = self.settings.clock_skew_seconds
        if expires <= now - skew:
            raise TokenRejected(TokenProblem.EXPIRED)
        for name in ("nbf", "iat"):
            if claims.get(name) is None:
                continue
            value = _time(claims[name])
            if value is None:
                raise TokenRejected(TokenProblem.MALFORMED)
            if value > now + skew:
                raise TokenRejected(TokenProblem.NOT_YET_VALID)


def _time(value: object) -> float | None:
    """A NumericDate claim as a number; None for anything else (booleans included)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None
