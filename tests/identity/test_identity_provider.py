"""The bundled provider on its own: discovery, PKCE required, codes used once, userinfo."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from demo import identity_provider
from demo.identity_provider import (
    DEMO_PASSWORD,
    DEMO_USERS,
    ProviderHandle,
    loopback_client,
)
from gateway.identity import IdentitySettings
from tests.identity.support import CLIENT_SECRET

REDIRECT = "http://127.0.0.1:5999/entrar/callback"


@pytest.fixture
def http(provider: ProviderHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=provider.issuer, timeout=10) as client:
        yield client


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _authorize_params(challenge: str, **changes: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": "planasmun-web",
        "redirect_uri": REDIRECT,
        "scope": "openid profile email",
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **changes,
    }
    return {k: v for k, v in params.items() if v}


def _login(http: httpx.Client, params: dict[str, str], username: str = "maria") -> str:
    response = http.post(
        "/authorize",
        params=params,
        data={"usuario": username, "contrasena": DEMO_PASSWORD, "accion": "entrar"},
    )
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["state"] == [params["state"]]
    return query["code"][0]


def _token(http: httpx.Client, code: str, verifier: str, **changes: str) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        **changes,
    }
    return http.post("/token", data=data, auth=("planasmun-web", CLIENT_SECRET))


def test_discovery(http: httpx.Client, provider: ProviderHandle) -> None:
    metadata = http.get("/.well-known/openid-configuration").json()
    assert metadata["issuer"] == provider.issuer
    assert metadata["jwks_uri"] == f"{provider.issuer}/jwks.json"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    keys = http.get("/jwks.json").json()["keys"]
    assert [(k["kty"], k["alg"], k["use"]) for k in keys] == [("RSA", "RS256", "sig")]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(keys[0])  # public parts only


def test_code_flow_issues_an_id_token_and_an_access_token(
    http: httpx.Client, provider: ProviderHandle
) -> None:
    verifier, challenge = _pkce()
    params = _authorize_params(challenge)
    response = _token(http, _login(http, params, "pedro"), verifier)
    assert response.status_code == 200
    token = response.json()
    keys = KeySet.import_key_set(http.get("/jwks.json").json())
    id_claims = jwt.decode(token["id_token"], keys, ["RS256"]).claims
    assert id_claims["iss"] == provider.issuer
    assert id_claims["aud"] == ["planasmun-web"]
    assert id_claims["nonce"] == params["nonce"]
    assert id_claims["name"] == "Pedro Antonio Jiménez"
    assert id_claims["planasmun_roles"] == ["staff:santo-domingo-este:supervisor"]
    access = jwt.decode(token["access_token"], keys, ["RS256"])
    assert access.header["typ"] == "at+jwt"
    assert access.claims["aud"] == ["planasmun-api"]
    assert access.claims["sub"] == id_claims["sub"]
    assert access.claims["planasmun_roles"] == id_claims["planasmun_roles"]
    userinfo = http.get("/userinfo", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert userinfo.json()["email"] == "pedro.jimenez@example.org"


def test_a_code_is_used_once(http: httpx.Client) -> None:
    verifier, challenge = _pkce()
    code = _login(http, _authorize_params(challenge))
    assert _token(http, code, verifier).status_code == 200
    replay = _token(http, code, verifier)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_the_code_verifier_must_match(http: httpx.Client) -> None:
    _, challenge = _pkce()
    code = _login(http, _authorize_params(challenge))
    wrong = _token(http, code, secrets.token_urlsafe(48))
    assert wrong.json()["error"] == "invalid_grant"
    missing = _token(http, _login(http, _authorize_params(challenge)), "")
    assert missing.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "changes",
    [
        {"code_challenge": "", "code_challenge_method": ""},  # no PKCE at all
        {"code_challenge_method": "plain"},
        {"nonce": ""},
    ],
)
def test_pkce_s256_and_a_nonce_are_required(http: httpx.Client, changes: dict[str, str]) -> None:
    _, challenge = _pkce()
    response = http.get("/authorize", params=_authorize_params(challenge, **changes))
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["location"]).query)["error"] == ["invalid_request"]


def test_a_reused_nonce_is_refused(http: httpx.Client) -> None:
    _, challenge = _pkce()
    params = _authorize_params(challenge)
    _login(http, params)
    again = http.get("/authorize", params={**params, "state": "otro"})
    assert parse_qs(urlsplit(again.headers["location"]).query)["error"] == ["invalid_request"]


@pytest.mark.parametrize(
    "changes",
    [
        {"redirect_uri": "https://evil.example/entrar/callback"},
        {"redirect_uri": "http://127.0.0.1:5999/otra/ruta"},
        {"redirect_uri": "http://127.0.0.1.evil.example:5999/entrar/callback"},
        {"client_id": "desconocido"},
    ],
)
def test_an_unknown_client_or_redirect_gets_a_page_not_a_redirect(
    http: httpx.Client, changes: dict[str, str]
) -> None:
    _, challenge = _pkce()
    response = http.get("/authorize", params=_authorize_params(challenge, **changes))
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "La solicitud de inicio de sesión no es válida" in response.text


def test_the_client_must_authenticate(http: httpx.Client) -> None:
    verifier, challenge = _pkce()
    code = _login(http, _authorize_params(challenge))
    response = http.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        auth=("planasmun-web", "adivinado"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_userinfo_wants_a_valid_token(http: httpx.Client, provider: ProviderHandle) -> None:
    expired = provider.issue_access_token("maria", expires_in=-10)
    for headers in ({}, {"Authorization": f"Bearer {expired}"}):
        response = http.get("/userinfo", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_the_login_page_is_strict_and_uncached(http: httpx.Client) -> None:
    _, challenge = _pkce()
    page = http.get("/authorize", params=_authorize_params(challenge))
    policy = page.headers["content-security-policy"]
    assert "script-src" not in policy and "default-src 'none'" in policy
    assert "form-action 'self' http://127.0.0.1:*" in policy
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    html = page.text
    assert 'autocomplete="current-password"' in html
    assert 'autocomplete="username"' in html
    assert "onpaste" not in html and "<script" not in html
    assert "captcha" not in html.lower()


def test_demo_people_are_fictitious_and_consistent() -> None:
    assert len({user.subject for user in DEMO_USERS}) == len(DEMO_USERS)
    roles = [role for user in DEMO_USERS for role in user.roles]
    assert roles.count("citizen") == 2
    assert "staff:santo-domingo-este:agent" in roles
    assert "staff:santo-domingo-este:supervisor" in roles
    assert "staff:santiago:agent" in roles
    assert "national:admin" in roles
    assert all(user.email.endswith("@example.org") for user in DEMO_USERS)


def test_loopback_redirects_match_on_any_port_only() -> None:
    client = loopback_client("c", "s", "https://planasmun.example/entrar/callback")
    assert client.check_redirect_uri("http://127.0.0.1:8000/entrar/callback")
    assert client.check_redirect_uri("http://localhost:41234/entrar/callback")
    assert client.check_redirect_uri("https://planasmun.example/entrar/callback")
    for bad in (
        "https://127.0.0.1:8000/entrar/callback",
        "http://127.0.0.1/entrar/callback/../x",
        "http://127.0.0.1:8000/entrar/callback?x=1",
        "http://user@127.0.0.1:8000/entrar/callback",
        "http://10.0.0.1:8000/entrar/callback",
        "https://planasmun.example:444/entrar/callback",
    ):
        assert not client.check_redirect_uri(bad), bad


def test_start_for_demo_hub_exports_what_the_workers_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.support import free_port

    for name in ("PLANASMUN_OIDC_CLIENT_SECRET", "PLANASMUN_SESSION_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(identity_provider.PORT_VARIABLE, str(free_port()))
    monkeypatch.setenv(identity_provider.ISSUER_VARIABLE, "")
    handle = identity_provider.start_for_demo_hub(IdentitySettings())
    try:
        import os

        assert os.environ[identity_provider.ISSUER_VARIABLE] == handle.issuer
        secret = os.environ["PLANASMUN_OIDC_CLIENT_SECRET"]
        assert len(secret) >= 32
        assert len(os.environ["PLANASMUN_SESSION_SECRET"]) >= 32
        assert handle.provider.clients["planasmun-web"].check_client_secret(secret)
    finally:
        handle.stop()
