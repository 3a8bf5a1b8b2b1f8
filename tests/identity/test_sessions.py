from __future__ import annotations

import time

import pytest

from gateway.identity import (
    IdentityNotConfigured,
    IdentitySettings,
    Principal,
    PrincipalKind,
    sessions,
)
from gateway.identity.sessions import (
    remember_login,
    resolve_session_secret,
    session_principal,
    sign_in,
    take_login,
)
from web.csrf import csrf_matches, csrf_token

ISSUER = "http://127.0.0.1:8703"
MARIA = Principal("demo-ciudadana-0001", "María Altagracia Pérez", PrincipalKind.CITIZEN)


def _settings(issuer: str | None = ISSUER) -> IdentitySettings:
    return IdentitySettings.model_validate(
        {"issuer": issuer, "session_secret": {"$env": "PLANASMUN_TEST_SESSION_SECRET"}}
    )


def test_outside_the_demo_login_needs_a_session_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANASMUN_TEST_SESSION_SECRET", raising=False)
    with pytest.raises(IdentityNotConfigured, match="PLANASMUN_TEST_SESSION_SECRET"):
        resolve_session_secret(_settings(), demo=False)
    # The demo, or a hub without login, makes a random one for this process.
    assert len(resolve_session_secret(_settings(), demo=True)) >= 32
    assert resolve_session_secret(_settings(), demo=True) != resolve_session_secret(
        _settings(), demo=True
    )
    assert len(resolve_session_secret(_settings(None), demo=False)) >= 32


def test_a_short_session_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANASMUN_TEST_SESSION_SECRET", "corto")
    with pytest.raises(IdentityNotConfigured, match="at least 32"):
        resolve_session_secret(_settings(), demo=True)
    monkeypatch.setenv("PLANASMUN_TEST_SESSION_SECRET", "x" * 40)
    assert resolve_session_secret(_settings(), demo=False) == "x" * 40


def test_sign_in_replaces_the_session() -> None:
    session: dict[str, object] = {"logins": {"s": {}}, "anything": 1}
    sign_in(session, MARIA, ISSUER)
    assert set(session) == {"principal", "iss", "csrf"}
    assert session_principal(session, ISSUER) == MARIA


def test_a_session_from_another_issuer_is_nobody() -> None:
    session: dict[str, object] = {}
    sign_in(session, MARIA, ISSUER)
    assert session_principal(session, "https://otro.example") is None
    assert session_principal(session, None) is None


def test_csrf() -> None:
    session: dict[str, object] = {}
    sign_in(session, MARIA, ISSUER)
    token = csrf_token(session)
    assert csrf_matches(session, token)
    assert not csrf_matches(session, token + "x")
    assert not csrf_matches(session, None)
    assert not csrf_matches({}, token)


def test_a_login_is_taken_once_and_expires() -> None:
    session: dict[str, object] = {}
    remember_login(session, "a", {"nonce": "n"})
    assert take_login(session, "a") == {"nonce": "n", "started": pytest.approx(time.time(), abs=5)}
    assert take_login(session, "a") is None
    assert "logins" not in session
    remember_login(session, "b", {"nonce": "n"})
    later = time.time() + sessions.LOGIN_TIMEOUT_SECONDS + 1
    assert take_login(session, "b", now=later) is None


def test_only_a_few_logins_wait_at_once() -> None:
    session: dict[str, object] = {}
    for state in "abcde":
        remember_login(session, state, {})
    assert take_login(session, "a") is None
    assert take_login(session, "e") is not None
    assert take_login(session, None) is None
