"""Bearer and ID token verification against the bundled provider's published keys."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from demo.identity_provider import ProviderHandle
from gateway.identity import (
    IdentitySettings,
    OpenIDProvider,
    ProviderUnavailable,
    TokenProblem,
    TokenRejected,
    TokenVerifier,
)
from tests.identity.support import identity_settings


@pytest.fixture
async def verifier(provider: ProviderHandle) -> AsyncIterator[TokenVerifier]:
    settings = identity_settings(provider.issuer, jwks_min_refresh_seconds=0)
    openid = OpenIDProvider(settings)
    try:
        yield TokenVerifier(openid, settings)
    finally:
        await openid.aclose()


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(provider: ProviderHandle, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": provider.issuer,
        "sub": "demo-personal-0005",
        "aud": "planasmun-api",
        "iat": now,
        "exp": now + 300,
        "planasmun_roles": ["staff:santiago:agent"],
        **changes,
    }


async def _rejected(verifier: TokenVerifier, token: str) -> TokenProblem:
    with pytest.raises(TokenRejected) as caught:
        await verifier.verify_access_token(token)
    return caught.value.problem


async def test_a_valid_token_gives_its_claims(
    verifier: TokenVerifier, provider: ProviderHandle
) -> None:
    claims = await verifier.verify_access_token(provider.issue_access_token("carmen"))
    assert claims["sub"] == "demo-personal-0005"
    assert claims["planasmun_roles"] == ["staff:santiago:agent"]


async def test_keys_are_fetched_once_and_cached(
    verifier: TokenVerifier, provider: ProviderHandle
) -> None:
    for user in ("maria", "ana", "luis"):
        await verifier.verify_access_token(provider.issue_access_token(user))
    assert verifier.provider.fetches == {"metadata": 1, "jwks": 1}


async def test_expired(verifier: TokenVerifier, provider: ProviderHandle) -> None:
    token = provider.issue_access_token("maria", expires_in=-120)
    assert await _rejected(verifier, token) is TokenProblem.EXPIRED


async def test_expiry_allows_the_configured_clock_skew(
    verifier: TokenVerifier, provider: ProviderHandle
) -> None:
    await verifier.verify_access_token(provider.issue_access_token("maria", expires_in=-5))


async def test_wrong_issuer(verifier: TokenVerifier, provider: ProviderHandle) -> None:
    token = provider.issue_access_token("maria", issuer="http://127.0.0.1:9/otro")
    assert await _rejected(verifier, token) is TokenProblem.ISSUER


@pytest.mark.parametrize("audience", ["otra-api", ["planasmun-web"], []])
async def test_wrong_audience(
    verifier: TokenVerifier, provider: ProviderHandle, audience: Any
) -> None:
    token = provider.issue_access_token("maria", audience=audience)
    assert await _rejected(verifier, token) is TokenProblem.AUDIENCE


async def test_one_of_several_audiences_is_enough(
    verifier: TokenVerifier, provider: ProviderHandle
) -> None:
    token = provider.issue_access_token("maria", audience=["otra-api", "planasmun-api"])
    await verifier.verify_access_token(token)


async def test_signed_by_another_key_with_the_providers_key_id(
    verifier: TokenVerifier, provider: ProviderHandle
) -> None:
    impostor = RSAKey.generate_key(2048)
    token = jwt.encode(
        {"alg": "RS256", "kid": provider.provider.kid}, _claims(provider), impostor, ["RS256"]
    )
    assert await _rejected(verifier, token) is TokenProblem.BAD_SIGNATURE


async def test_signed_by_a_key_the_provider_does_not_publish(
    verifier: TokenVerifier, provider: ProviderHandle
) -> None:
    impostor = RSAKey.generate_key(2048, auto_kid=True)
    token = jwt.encode({"alg": "RS256", "kid": impostor.kid}, _claims(provider), impostor)
    assert await _rejected(verifier, token) is TokenProblem.BAD_SIGNATURE


async def test_a_tampered_payload(verifier: TokenVerifier, provider: ProviderHandle) -> None:
    header, _, signature = provider.issue_access_token("maria").split(".")
    forged = _b64(_claims(provider, planasmun_roles=["national:admin"]))
    token = f"{header}.{forged}.{signature}"
    assert await _rejected(verifier, token) is TokenProblem.BAD_SIGNATURE


async def test_alg_none(verifier: TokenVerifier, provider: ProviderHandle) -> None:
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(provider))}."
    assert await _rejected(verifier, token) is TokenProblem.ALGORITHM


async def test_hs256_with_the_public_key_as_secret(
    verifier: TokenVerifier, provider: ProviderHandle
) -> None:
    """The classic confusion: an HMAC keyed with the provider's public key."""
    public = json.dumps(provider.provider.jwks()["keys"][0]).encode()
    token = jwt.encode(
        {"alg": "HS256", "kid": provider.provider.kid},
        _claims(provider),
        OctKey.import_key(public),
        ["HS256"],
    )
    assert await _rejected(verifier, token) is TokenProblem.ALGORITHM


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c.d", "!!!.e30.x", f"{'x' * 20000}.a.b"])
async def test_malformed(verifier: TokenVerifier, token: str) -> None:
    assert await _rejected(verifier, token) is TokenProblem.MALFORMED


@pytest.mark.parametrize("missing", ["sub", "exp", "iss", "aud"])
async def test_a_required_claim_missing(
    verifier: TokenVerifier, provider: ProviderHandle, missing: str
) -> None:
    claims = _claims(provider)
    del claims[missing]
    token = jwt.encode({"alg": "RS256"}, claims, provider.provider.private_keys)
    assert await _rejected(verifier, token) is TokenProblem.MISSING_CLAIM


async def test_not_valid_yet(verifier: TokenVerifier, provider: ProviderHandle) -> None:
    claims = _claims(provider, nbf=int(time.time()) + 3600)
    token = jwt.encode({"alg": "RS256"}, claims, provider.provider.private_keys)
    assert await _rejected(verifier, token) is TokenProblem.NOT_YET_VALID


async def test_a_rotated_key_is_fetched_on_first_sight(
    verifier: TokenVerifier, provider: ProviderHandle
) -> None:
    await verifier.verify_access_token(provider.issue_access_token("maria"))
    old = provider.provider.kid
    assert provider.provider.rotate_key() != old
    await verifier.verify_access_token(provider.issue_access_token("juan"))
    assert verifier.provider.fetches["jwks"] == 2


async def test_unknown_key_ids_refetch_at_most_every_min_refresh(
    provider: ProviderHandle,
) -> None:
    settings = identity_settings(provider.issuer, jwks_min_refresh_seconds=60)
    openid = OpenIDProvider(settings)
    try:
        verifier = TokenVerifier(openid, settings)
        await verifier.verify_access_token(provider.issue_access_token("maria"))
        for _ in range(5):
            impostor = RSAKey.generate_key(2048, auto_kid=True)
            token = jwt.encode({"alg": "RS256", "kid": impostor.kid}, _claims(provider), impostor)
            assert await _rejected(verifier, token) is TokenProblem.BAD_SIGNATURE
        assert openid.fetches["jwks"] == 1
    finally:
        await openid.aclose()


async def test_id_token_nonce_and_audience(
    verifier: TokenVerifier, provider: ProviderHandle
) -> None:
    claims = _claims(provider, aud="planasmun-web", nonce="n-1")
    token = jwt.encode({"alg": "RS256"}, claims, provider.provider.private_keys)
    assert (await verifier.verify_id_token(token, nonce="n-1"))["sub"] == claims["sub"]
    with pytest.raises(TokenRejected) as caught:
        await verifier.verify_id_token(token, nonce="n-2")
    assert caught.value.problem is TokenProblem.NONCE
    # An access token (audience: the API) is no ID token for the web client.
    with pytest.raises(TokenRejected) as caught:
        await verifier.verify_id_token(provider.issue_access_token("maria"), nonce="n-1")
    assert caught.value.problem is TokenProblem.AUDIENCE
    # Several audiences: `azp` must name this client.
    several = jwt.encode(
        {"alg": "RS256"},
        {**claims, "aud": ["planasmun-web", "otra"], "azp": "otra"},
        provider.provider.private_keys,
    )
    with pytest.raises(TokenRejected) as caught:
        await verifier.verify_id_token(several, nonce="n-1")
    assert caught.value.problem is TokenProblem.AUDIENCE


async def test_no_issuer_configured() -> None:
    settings = IdentitySettings()
    openid = OpenIDProvider(settings)
    with pytest.raises(TokenRejected) as caught:
        await TokenVerifier(openid, settings).verify_access_token("a.b.c")
    assert caught.value.problem is TokenProblem.NOT_CONFIGURED


async def test_a_provider_that_does_not_answer() -> None:
    from tests.support import free_port

    settings = identity_settings(f"http://127.0.0.1:{free_port()}", http_timeout_seconds=2)
    openid = OpenIDProvider(settings)
    token = jwt.encode({"alg": "RS256"}, {"sub": "x"}, RSAKey.generate_key(2048))
    try:
        with pytest.raises(ProviderUnavailable, match="discovery document could not be read"):
            await TokenVerifier(openid, settings).verify_access_token(token)
    finally:
        await openid.aclose()


def test_every_problem_has_both_messages() -> None:
    from gateway.identity.errors import TOKEN_MESSAGES

    assert set(TOKEN_MESSAGES) == set(TokenProblem)
    for spanish, english in TOKEN_MESSAGES.values():
        assert spanish != english
        assert english.isascii()  # it also goes in the WWW-Authenticate header
        assert '"' not in english
