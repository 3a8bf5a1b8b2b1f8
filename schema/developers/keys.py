"""API keys for developers: issued and revoked by the national administrator, carried in
the `X-Api-Key` header, scoped, stored hashed.

A key reads `pm_<prefix>_<secret>`: 12 hexadecimal digits that name the key (shown in
listings; safe to log) and 32 random bytes in base64url (43 characters). The hub store
(`store.api_keys`) keeps the prefix and the SHA-256 of the whole key, never
the key: it is shown once, in the answer to `issueApiKey`. With 256 random bits a plain
hash cannot be reversed by guessing, so no server-side secret (pepper) has to be shared
by the workers. A presented key is found by its prefix and its hash compared in constant
time.

Every request that carries `X-Api-Key` goes through the gateway's `ApiKeyMiddleware`
(`gateway.api_keys`, inside the identity middleware), which asks `ApiKeys.verify`:

    no header          nothing changes
    a valid key        the request's principal gets the key's scopes: an anonymous caller
                       becomes a `developer` principal (`subject` "api-key:<id>"), one
                       already named by a bearer token or a session keeps who it is and
                       gains the scopes
    malformed, unknown 401 with a JSON body in Spanish and English (`reason` names which)
    or revoked key
    store unavailable  503, Retry-After

Scope checks belong to the schema (`schema.developers.permissions.HasScope`). Answers are
kept per worker for `cache_seconds` (10 s by default): a key revoked through this worker
stops working at once, through another worker within that time. The rate limiter asks
`ApiKeys.is_known` so that a known key is counted on its own budget.

Nothing here logs a key, a secret or a hash: only the key's id or the problem's name.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import enum
import hashlib
import hmac
import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from schema.principal import Principal, PrincipalKind
from store.api_keys import (
    CONTACT_LENGTH,
    NAME_LENGTH,
    ApiKeyRecord,
    ApiKeyStore,
    ApiKeyStoreUnavailable,
    PrefixTaken,
)
from store.audit import AuditEntry, AuditLog, KnownAction
from store.store import create_engine
from words import Message

__all__ = [
    "CONTACT_LENGTH",
    "KEY_PREFIX",
    "MESSAGES",
    "NAME_LENGTH",
    "STORE_DOWN",
    "STORE_DOWN_MESSAGE",
    "AlreadyRevoked",
    "ApiKeyGrant",
    "ApiKeyNotFound",
    "ApiKeyProblem",
    "ApiKeyRecord",
    "ApiKeyRejected",
    "ApiKeyStoreUnavailable",
    "ApiKeys",
    "ApiScope",
    "IssuedKey",
    "NotNationalAdmin",
    "hash_key",
    "known_scopes",
    "parse_key",
    "with_grant",
]

log = logging.getLogger("planasmun.api_keys")

#: How every key starts: `pm_` (PLANASMUN), so that a leaked one is easy to recognise.
KEY_PREFIX = "pm"
_PREFIX_BYTES = 6  # 12 hexadecimal digits
_SECRET_BYTES = 32  # 43 base64url characters
_KEY = re.compile(r"pm_(?P<prefix>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})")
#: Longer than any key; anything longer is refused before it is looked at.
_MAX_PRESENTED = 200


class ApiScope(enum.StrEnum):
    """What a key lets its holder do (`schema.developers.types.ApiScope` mirrors it)."""

    #: Read public data on the key's own rate budget (anyone may read public data).
    READ_PUBLIC = "read_public"
    #: Submit service requests through Open311.
    SUBMIT_OPEN311 = "submit_open311"


class ApiKeyProblem(enum.StrEnum):
    """Why a presented key was refused; the value is the `reason` API clients see."""

    MALFORMED = "malformed_api_key"
    INVALID = "invalid_api_key"
    REVOKED = "revoked_api_key"


#: The words for each problem, in Spanish and English in the 401's JSON body.
MESSAGES: dict[ApiKeyProblem, Message] = {
    ApiKeyProblem.MALFORMED: Message(
        "accounts",
        "The API key is not well formed (pm_...). Copy it whole, exactly as it was issued.",
    ),
    ApiKeyProblem.INVALID: Message(
        "accounts", "The API key is not valid: it matches no key that was issued."
    ),
    ApiKeyProblem.REVOKED: Message(
        "accounts",
        "The API key has been revoked. Ask the Liga Municipal Dominicana for a new one.",
    ),
}

STORE_DOWN_MESSAGE = Message(
    "accounts", "The API key could not be checked right now. Try again in a few minutes."
)
#: (Spanish, English) of `STORE_DOWN_MESSAGE`, for the 503's JSON body.
STORE_DOWN = (STORE_DOWN_MESSAGE.es, STORE_DOWN_MESSAGE.en)


class ApiKeyRejected(Exception):
    def __init__(self, problem: ApiKeyProblem) -> None:
        self.problem = problem
        super().__init__(self.message_en)

    @property
    def message_es(self) -> str:
        return MESSAGES[self.problem].es

    @property
    def message_en(self) -> str:
        return MESSAGES[self.problem].en


class NotNationalAdmin(PermissionError):
    """Only the national administrator issues, revokes and lists keys."""


class ApiKeyNotFound(LookupError):
    pass


class AlreadyRevoked(ValueError):
    pass


@dataclasses.dataclass(frozen=True, slots=True)
class ApiKeyGrant:
    """What a verified key grants one request: which key, and its scopes."""

    key_id: str
    name: str
    prefix: str
    scopes: frozenset[ApiScope]


@dataclasses.dataclass(frozen=True, slots=True)
class IssuedKey:
    """A new key: its record, and the key itself, to show once and never again."""

    record: ApiKeyRecord
    key: str = dataclasses.field(repr=False)


def parse_key(presented: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key; None for anything else."""
    if len(presented) > _MAX_PRESENTED:
        return None
    match = _KEY.fullmatch(presented)
    if match is None:
        return None
    return match["prefix"], match["secret"]


def hash_key(key: str) -> str:
    """What the store keeps of a key: the hex SHA-256 of the whole key."""
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(_PREFIX_BYTES)
    return prefix, f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def known_scopes(values: Iterable[str]) -> list[ApiScope]:
    """The scopes this version knows, in their order; an unknown one grants nothing."""
    known = set(values)
    return [scope for scope in ApiScope if scope.value in known]


_Verdict = ApiKeyGrant | ApiKeyProblem


class ApiKeys:
    """The hub's API keys: issue, revoke and list (national administrator), verify (all).

    Owns a database engine on the hub store (made on first use, closed by `aclose`) unless
    one is given.
    """

    def __init__(
        self,
        database_url: str | None = None,
        *,
        engine: AsyncEngine | None = None,
        cache_seconds: float = 10.0,
        cache_entries: int = 10_000,
        touch_every_seconds: float = 60.0,
        now: Callable[[], dt.datetime] = _utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if (database_url is None) == (engine is None):
            raise ValueError("give either database_url or engine")
        self._database_url = database_url
        self._engine = engine
        self._owns_engine = engine is None
        self.cache_seconds = cache_seconds
        self.cache_entries = cache_entries
        self.touch_every = dt.timedelta(seconds=touch_every_seconds)
        self._now = now
        self._monotonic = monotonic
        #: hash of a presented key → (valid until, verdict). Hashes only, never keys.
        self._cache: collections.OrderedDict[str, tuple[float, _Verdict]] = (
            collections.OrderedDict()
        )

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            assert self._database_url is not None
            self._engine = create_engine(self._database_url)
        return self._engine

    @property
    def store(self) -> ApiKeyStore:
        return ApiKeyStore(self.engine)

    @property
    def audit(self) -> AuditLog:
        return AuditLog(self.engine)

    async def aclose(self) -> None:
        self._cache.clear()
        if self._owns_engine and self._engine is not None:
            engine, self._engine = self._engine, None
            await engine.dispose()

    # -- the national administrator's operations -----------------------------------------

    async def issue(
        self,
        *,
        name: str,
        contact_email: str,
        scopes: Iterable[ApiScope],
        by: Principal,
        client_address: str | None = None,
    ) -> IssuedKey:
        """A new key. The audit entry is written first: no key exists without its entry."""
        actor = _admin(by)
        granted = sorted(set(scopes), key=list(ApiScope).index)
        if not granted:
            raise ValueError("a key needs at least one scope")
        if not 0 < len(name) <= NAME_LENGTH or not 0 < len(contact_email) <= CONTACT_LENGTH:
            raise ValueError("name or contact e-mail is empty or too long")
        key_id = str(uuid.uuid4())
        await self.audit.append(
            AuditEntry(
                actor=actor,
                actor_role=PrincipalKind.NATIONAL_ADMIN.value,
                action=KnownAction.API_KEY_ISSUED,
                record_type="api_key",
                record_id=key_id,
                fields=("name", "contact_email", "scopes"),
                client_address=client_address,
                purpose=Message("accounts", "Issue of an API key for developers").es,
            )
        )
        for _attempt in range(5):
            prefix, key = _new_key()
            record = ApiKeyRecord(
                id=key_id,
                prefix=prefix,
                name=name,
                contact_email=contact_email,
                scopes=tuple(s.value for s in granted),
                created_at=self._now(),
                created_by=actor,
                secret_hash=hash_key(key),
            )
            try:
                await self.store.add(record)
            except PrefixTaken:
                continue
            log.info("API key issued: id %s, prefix %s", key_id, prefix)
            return IssuedKey(record, key)
        raise RuntimeError("could not draw an unused key prefix")  # pragma: no cover

    async def revoke(
        self, key_id: str, *, by: Principal, client_address: str | None = None
    ) -> ApiKeyRecord:
        """Revoke a key at once on this worker (within `cache_seconds` on the others).

        As with `issue`, the audit entry comes first: if the log cannot take it, nothing
        changes and the error is raised.
        """
        actor = _admin(by)
        found = await self.store.get(key_id)
        if found is None:
            raise ApiKeyNotFound(key_id)
        if found.revoked:
            raise AlreadyRevoked(key_id)
        await self.audit.append(
            AuditEntry(
                actor=actor,
                actor_role=PrincipalKind.NATIONAL_ADMIN.value,
                action=KnownAction.API_KEY_REVOKED,
                record_type="api_key",
                record_id=found.id,
                fields=("revoked_at", "revoked_by"),
                client_address=client_address,
                purpose=Message("accounts", "Revocation of an API key for developers").es,
            )
        )
        if not await self.store.revoke(found.id, by=actor, at=self._now()):
            raise AlreadyRevoked(key_id)  # revoked meanwhile by another request
        self._forget(found.id)
        log.info("API key revoked: id %s, prefix %s", found.id, found.prefix)
        revoked = await self.store.get(found.id)
        assert revoked is not None
        return revoked

    async def list_keys(self, *, by: Principal) -> Sequence[ApiKeyRecord]:
        _admin(by)
        return await self.store.all()

    # -- every request's check -------------------------------------------------------------

    async def verify(self, presented: str) -> ApiKeyGrant:
        """The grant of a presented key; raises `ApiKeyRejected`, `ApiKeyStoreUnavailable`."""
        parsed = parse_key(presented.strip())
        if parsed is None:
            raise ApiKeyRejected(ApiKeyProblem.MALFORMED)
        digest = hash_key(presented.strip())
        verdict = self._cached(digest)
        if verdict is None:
            verdict = await self._look_up(parsed[0], digest)
            self._remember(digest, verdict)
        if isinstance(verdict, ApiKeyProblem):
            raise ApiKeyRejected(verdict)
        return verdict

    async def is_known(self, presented: str) -> bool:
        """For the rate limiter's `verify_key`: a valid, unrevoked key. Never raises."""
        try:
            await self.verify(presented)
        except (ApiKeyRejected, ApiKeyStoreUnavailable):
            return False
        return True

    async def _look_up(self, prefix: str, digest: str) -> _Verdict:
        record = await self.store.find_by_prefix(prefix)
        if record is None or not hmac.compare_digest(record.secret_hash, digest):
            return ApiKeyProblem.INVALID
        if record.revoked:
            return ApiKeyProblem.REVOKED
        now = self._now()
        if record.last_used_at is None or now - record.last_used_at >= self.touch_every:
            try:
                await self.store.mark_used(record.id, now)
            except ApiKeyStoreUnavailable as exc:  # the key still works
                log.warning("API key %s: last use not recorded (%s)", record.id, exc)
        return ApiKeyGrant(
            record.id, record.name, record.prefix, frozenset(known_scopes(record.scopes))
        )

    def _cached(self, digest: str) -> _Verdict | None:
        entry = self._cache.get(digest)
        if entry is None:
            return None
        until, verdict = entry
        if self._monotonic() >= until:
            del self._cache[digest]
            return None
        return verdict

    def _remember(self, digest: str, verdict: _Verdict) -> None:
        self._cache[digest] = (self._monotonic() + self.cache_seconds, verdict)
        self._cache.move_to_end(digest)
        while len(self._cache) > self.cache_entries:
            self._cache.popitem(last=False)

    def _forget(self, key_id: str) -> None:
        for digest, (_, verdict) in list(self._cache.items()):
            if isinstance(verdict, ApiKeyGrant) and verdict.key_id == key_id:
                del self._cache[digest]


def _admin(principal: Principal) -> str:
    """The acting national administrator's subject (defence in depth behind the schema)."""
    if not principal.is_national_admin or principal.subject is None:
        raise NotNationalAdmin("only the national administrator manages API keys")
    return principal.subject


def with_grant(principal: Principal, grant: ApiKeyGrant) -> Principal:
    """The principal of a request that presented a valid key."""
    scopes = frozenset(s.value for s in grant.scopes)
    if principal.kind is PrincipalKind.ANONYMOUS:
        return Principal(
            subject=f"api-key:{grant.key_id}",
            display_name=grant.name,
            kind=PrincipalKind.DEVELOPER,
            scopes=scopes,
        )
    return dataclasses.replace(principal, scopes=principal.scopes | scopes)
