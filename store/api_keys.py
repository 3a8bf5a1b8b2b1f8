"""Developers' API keys in the hub store: a prefix, a hash and what the key may do.

A key is never stored, only its `prefix` (public: it names the key in listings and is how
a presented key is found) and the hex SHA-256 of the whole key (`secret_hash`). The key's
format, its hashing and its checks live in `gateway.api_keys`; this module only keeps rows.

Keys are not deleted: revoking one sets `revoked_at` and `revoked_by`, so the listing keeps
the history of every key ever issued. `last_used_at` is updated at most once a minute per
key and worker, not on every request.

Database failures are raised as `ApiKeyStoreUnavailable` (one boundary, `_mapped`), with
the driver's exception chained for the log; nothing here logs a key or a hash.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from store.store import metadata

__all__ = [
    "CONTACT_LENGTH",
    "ID_LENGTH",
    "NAME_LENGTH",
    "PREFIX_LENGTH",
    "ApiKeyRecord",
    "ApiKeyStore",
    "ApiKeyStoreUnavailable",
    "PrefixTaken",
    "api_keys",
]

# Column sizes, shared by the table, the migration's copy of it and the validation.
ID_LENGTH = 36
PREFIX_LENGTH = 16
HASH_LENGTH = 64
NAME_LENGTH = 120
CONTACT_LENGTH = 254
ACTOR_LENGTH = 200

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String(ID_LENGTH), primary_key=True),
    sa.Column("prefix", sa.String(PREFIX_LENGTH), nullable=False),
    # Hex SHA-256 of the whole key: the key itself is never stored.
    sa.Column("secret_hash", sa.String(HASH_LENGTH), nullable=False),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("contact_email", sa.String(CONTACT_LENGTH), nullable=False),
    # A list of scope names, e.g. ["read_public", "submit_open311"].
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(ACTOR_LENGTH), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_by", sa.String(ACTOR_LENGTH), nullable=True),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("prefix", name="uq_api_keys_prefix"),
)


class ApiKeyStoreUnavailable(RuntimeError):
    """The store could not be read or written (down, or not migrated): retry later."""


class PrefixTaken(ValueError):
    """Another key already has this prefix: draw a new key."""


@dataclasses.dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """One stored key. `secret_hash` stays out of `repr` (and so out of any log)."""

    id: str
    prefix: str
    name: str
    contact_email: str
    scopes: tuple[str, ...]
    created_at: dt.datetime
    created_by: str
    secret_hash: str = dataclasses.field(repr=False)
    revoked_at: dt.datetime | None = None
    revoked_by: str | None = None
    last_used_at: dt.datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; they were written in UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _record(row: sa.RowMapping) -> ApiKeyRecord:
    scopes = row["scopes"]
    created_at = _utc(row["created_at"])
    assert created_at is not None  # NOT NULL
    return ApiKeyRecord(
        id=row["id"],
        prefix=row["prefix"],
        name=row["name"],
        contact_email=row["contact_email"],
        scopes=tuple(str(s) for s in scopes) if isinstance(scopes, list) else (),
        created_at=created_at,
        created_by=row["created_by"],
        secret_hash=row["secret_hash"],
        revoked_at=_utc(row["revoked_at"]),
        revoked_by=row["revoked_by"],
        last_used_at=_utc(row["last_used_at"]),
    )


@contextlib.contextmanager
def _mapped() -> Iterator[None]:
    """The driver's failures as `ApiKeyStoreUnavailable` (constraint violations excepted)."""
    try:
        yield
    except sa.exc.IntegrityError:
        raise
    except (sa.exc.DBAPIError, OSError, TimeoutError) as exc:
        raise ApiKeyStoreUnavailable(
            f"the API key store is unavailable ({type(exc).__name__}); "
            "if the table is missing, run `planasmun migrate`"
        ) from exc


class ApiKeyStore:
    """Rows of `api_keys`. Authorisation and auditing are the caller's job."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, record: ApiKeyRecord) -> None:
        values = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
        values["scopes"] = list(record.scopes)
        with _mapped():
            try:
                async with self._engine.begin() as connection:
                    await connection.execute(api_keys.insert().values(**values))
            except sa.exc.IntegrityError as exc:
                if "prefix" in str(exc.orig):
                    raise PrefixTaken("another key has this prefix") from None
                raise

    async def get(self, key_id: str) -> ApiKeyRecord | None:
        return await self._one(api_keys.c.id == key_id)

    async def find_by_prefix(self, prefix: str) -> ApiKeyRecord | None:
        return await self._one(api_keys.c.prefix == prefix)

    async def _one(self, where: sa.ColumnElement[bool]) -> ApiKeyRecord | None:
        with _mapped():
            async with self._engine.connect() as connection:
                row = (
                    (await connection.execute(sa.select(api_keys).where(where)))
                    .mappings()
                    .one_or_none()
                )
        return None if row is None else _record(row)

    async def all(self) -> Sequence[ApiKeyRecord]:
        """Every key ever issued, newest first."""
        query = sa.select(api_keys).order_by(api_keys.c.created_at.desc(), api_keys.c.id)
        with _mapped():
            async with self._engine.connect() as connection:
                rows = (await connection.execute(query)).mappings().all()
        return [_record(row) for row in rows]

    async def revoke(self, key_id: str, *, by: str, at: dt.datetime) -> bool:
        """Revoke a key that is still active; False when it is unknown or already revoked."""
        statement = (
            api_keys.update()
            .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=at, revoked_by=by)
        )
        with _mapped():
            async with self._engine.begin() as connection:
                result = await connection.execute(statement)
        return result.rowcount == 1

    async def mark_used(self, key_id: str, at: dt.datetime) -> None:
        statement = api_keys.update().where(api_keys.c.id == key_id).values(last_used_at=at)
        with _mapped():
            async with self._engine.begin() as connection:
                await connection.execute(statement)
