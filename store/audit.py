"""The audit log of personal-data access (Ley 172-13): append-only and tamper-evident.

Every read of personal data by staff and every change to it is appended here: who acted,
in which role, when, on which record, which *fields* (names only, never values), from
which address, why (the purpose), and whose data it was (`data_subject`), so that a
supervisor can review their municipality's log and a citizen can see who read their data.

Append-only: this module has no update or delete path, and the migration installs
triggers that refuse UPDATE and DELETE on `audit_log` (and TRUNCATE on PostgreSQL).

Tamper-evident: entries form a hash chain. Each entry's `hash` is the hex SHA-256 of the
canonical JSON (see `canonical_json`) of all its other columns, `prev_hash` included, and
`prev_hash` is the previous entry's `hash` (64 zeros for the first entry). The one-row
`audit_head` table records the last entry's `seq` and `hash`, so that cutting entries
off the end of the log is noticed too. `AuditLog.verify()` walks the chain and reports the
first entry that does not hold.

Appends are serialised so that several workers and processes never fork the chain: on
PostgreSQL by locking the `audit_head` row (`SELECT … FOR UPDATE`), on SQLite by taking
the database's write lock first (`BEGIN IMMEDIATE`). `seq` is therefore gap-free.

Authorisation is the caller's job: `entries()` filters by municipality or data subject
as asked; the schema layer decides which filter a supervisor or a citizen may ask for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from store.store import metadata
from words import Message

__all__ = [
    "GENESIS_HASH",
    "PERSONAL_DATA_ACTIONS",
    "AuditEntry",
    "AuditLog",
    "AuditLogError",
    "AuditRecord",
    "InvalidAuditEntry",
    "KnownAction",
    "VerifyResult",
    "audit_head",
    "audit_log",
    "canonical_json",
    "entry_hash",
]

#: `prev_hash` of the first entry.
GENESIS_HASH = "0" * 64

# Column sizes, shared by the table, the migration's copy of it and the validation, so
# that PostgreSQL never refuses a value the validation accepted.
ACTOR_LENGTH = 200
ROLE_LENGTH = 120
MUNICIPALITY_LENGTH = 64
ACTION_LENGTH = 64
RECORD_TYPE_LENGTH = 64
RECORD_ID_LENGTH = 200
ADDRESS_LENGTH = 64
PURPOSE_LENGTH = 500
MAX_FIELDS = 100
FIELD_LENGTH = 100

audit_log = sa.Table(
    "audit_log",
    metadata,
    # Assigned by `append` under the lock (head + 1), never by the database: gap-free.
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(ACTOR_LENGTH), nullable=False),
    sa.Column("actor_role", sa.String(ROLE_LENGTH), nullable=False),
    sa.Column("municipality_id", sa.String(MUNICIPALITY_LENGTH), nullable=True),
    sa.Column("action", sa.String(ACTION_LENGTH), nullable=False),
    sa.Column("record_type", sa.String(RECORD_TYPE_LENGTH), nullable=True),
    sa.Column("record_id", sa.String(RECORD_ID_LENGTH), nullable=True),
    # Field NAMES, never values.
    sa.Column("fields", sa.JSON, nullable=False),
    sa.Column("client_address", sa.String(ADDRESS_LENGTH), nullable=True),
    sa.Column("purpose", sa.String(PURPOSE_LENGTH), nullable=True),
    sa.Column("data_subject", sa.String(ACTOR_LENGTH), nullable=True),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # Two entries claiming the same predecessor would be a fork: the database refuses it.
    sa.UniqueConstraint("prev_hash", name="uq_audit_log_prev_hash"),
    sa.Index("ix_audit_log_municipality_seq", "municipality_id", "seq"),
    sa.Index("ix_audit_log_data_subject_seq", "data_subject", "seq"),
)

audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.CheckConstraint("id = 1", name="ck_audit_head_one_row"),
)


class KnownAction(enum.StrEnum):
    """Actions with a meaning across the hub; any other snake_case action is accepted."""

    READ_PERSONAL_DATA = "read_personal_data"
    UPDATE_PERSONAL_DATA = "update_personal_data"
    ERASE_PERSONAL_DATA = "erase_personal_data"
    EXPORT_PERSONAL_DATA = "export_personal_data"
    ACCESS_DENIED = "access_denied"
    LOGIN = "login"
    LOGOUT = "logout"
    API_KEY_ISSUED = "api_key_issued"
    API_KEY_REVOKED = "api_key_revoked"
    CONSENT_RECORDED = "consent_recorded"


#: Actions on a person's data: they must name a record and (but for erasure) the fields.
PERSONAL_DATA_ACTIONS = frozenset(
    {
        KnownAction.READ_PERSONAL_DATA,
        KnownAction.UPDATE_PERSONAL_DATA,
        KnownAction.ERASE_PERSONAL_DATA,
        KnownAction.EXPORT_PERSONAL_DATA,
    }
)


class AuditLogError(RuntimeError):
    """The store cannot take or check entries (not migrated, or its head is missing)."""


class InvalidAuditEntry(ValueError):
    """An entry that must not be written: the message names the attribute, not its value."""


# ---------------------------------------------------------------------------------------
# Validation: ids and names only, and nothing that looks like a personal value.

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=-]*")
_ROLE = re.compile(r"[a-z0-9][a-z0-9_-]*(?::[a-z0-9][a-z0-9_-]*)*")
_MUNICIPALITY = re.compile(r"[a-z0-9][a-z0-9-]*")
_ACTION = re.compile(r"[a-z][a-z0-9_]*")
_RECORD_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_HOST = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# Personal values that must never reach the log by mistake: a cédula (000-0000000-0),
# a Dominican phone number, an e-mail address.
_CEDULA = re.compile(r"(?<!\d)\d{3}-?\d{7}-?\d(?!\d)")
_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?8[024]9\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _looks_personal(text: str) -> bool:
    return any(p.search(text) for p in (_CEDULA, _PHONE, _EMAIL))


def _identifier(name: str, value: object, pattern: re.Pattern[str], length: int) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if not isinstance(value, str) or not value:
        raise InvalidAuditEntry(f"{name} must be a non-empty string")
    if len(value) > length:
        raise InvalidAuditEntry(f"{name} is longer than {length} characters")
    if not pattern.fullmatch(value):
        raise InvalidAuditEntry(f"{name} must be an identifier ({pattern.pattern})")
    if _CEDULA.fullmatch(value) or _PHONE.fullmatch(value):
        raise InvalidAuditEntry(
            f"{name} looks like a cedula or a phone number: log an opaque id instead"
        )
    return value


def _optional(name: str, value: object, pattern: re.Pattern[str], length: int) -> str | None:
    return None if value is None else _identifier(name, value, pattern, length)


def _fields(value: object) -> tuple[str, ...]:
    # A mapping is the likeliest mistake ({"cedula": "001-…"}): it would carry values.
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise InvalidAuditEntry("fields must be a list of field names (never their values)")
    if len(value) > MAX_FIELDS:
        raise InvalidAuditEntry(f"fields holds more than {MAX_FIELDS} names")
    names = tuple(_identifier("fields[]", item, _FIELD, FIELD_LENGTH) for item in value)
    if len(set(names)) != len(names):
        raise InvalidAuditEntry("fields names a field twice")
    return names


def _address(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidAuditEntry("client_address must be a non-empty string or None")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        # Test clients and Unix sockets have no IP address; accept a short host token.
        return _identifier("client_address", value, _HOST, ADDRESS_LENGTH)


def _purpose(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidAuditEntry("purpose must be a string")
    value = " ".join(value.split())
    if not value:
        return None
    if len(value) > PURPOSE_LENGTH:
        raise InvalidAuditEntry(f"purpose is longer than {PURPOSE_LENGTH} characters")
    if _CONTROL.search(value):
        raise InvalidAuditEntry("purpose holds control characters")
    if _looks_personal(value):
        raise InvalidAuditEntry(
            "purpose seems to contain personal data (a cedula, phone number or e-mail)"
        )
    return value


@dataclasses.dataclass(frozen=True, slots=True)
class AuditEntry:
    """What the caller says happened; `append` adds `seq`, `at` and the chain.

    Construction validates: ids are identifiers, `fields` is a list of field names, a
    read of personal data has a purpose, and nothing looks like a cédula, a phone number
    or an e-mail address. Invalid entries raise `InvalidAuditEntry`.
    """

    actor: str
    actor_role: str
    action: str
    record_type: str | None = None
    record_id: str | None = None
    fields: Sequence[str] = ()
    municipality_id: str | None = None
    client_address: str | None = None
    purpose: str | None = None
    data_subject: str | None = None

    def __post_init__(self) -> None:
        clean = {
            "actor": _identifier("actor", self.actor, _ID, ACTOR_LENGTH),
            "actor_role": _identifier("actor_role", self.actor_role, _ROLE, ROLE_LENGTH),
            "action": _identifier("action", self.action, _ACTION, ACTION_LENGTH),
            "record_type": _optional(
                "record_type", self.record_type, _RECORD_TYPE, RECORD_TYPE_LENGTH
            ),
            "record_id": _optional("record_id", self.record_id, _ID, RECORD_ID_LENGTH),
            "fields": _fields(self.fields),
            "municipality_id": _optional(
                "municipality_id", self.municipality_id, _MUNICIPALITY, MUNICIPALITY_LENGTH
            ),
            "client_address": _address(self.client_address),
            "purpose": _purpose(self.purpose),
            "data_subject": _optional("data_subject", self.data_subject, _ID, ACTOR_LENGTH),
        }
        action = clean["action"]
        if action in PERSONAL_DATA_ACTIONS:
            if clean["record_type"] is None or clean["record_id"] is None:
                raise InvalidAuditEntry(f"{action} must name record_type and record_id")
            if action != KnownAction.ERASE_PERSONAL_DATA and not clean["fields"]:
                raise InvalidAuditEntry(f"{action} must list the fields concerned")
        if action == KnownAction.READ_PERSONAL_DATA and clean["purpose"] is None:
            raise InvalidAuditEntry("read_personal_data needs a purpose")
        for name, value in clean.items():
            object.__setattr__(self, name, value)


@dataclasses.dataclass(frozen=True, slots=True)
class AuditRecord:
    """One stored entry of the log, as written and as read back."""

    seq: int
    at: dt.datetime
    actor: str
    actor_role: str
    municipality_id: str | None
    action: str
    record_type: str | None
    record_id: str | None
    fields: tuple[str, ...]
    client_address: str | None
    purpose: str | None
    data_subject: str | None
    prev_hash: str
    hash: str

    def content(self) -> dict[str, Any]:
        """Every column but `hash`, in the form the hash covers (timestamps as text)."""
        return {
            "seq": self.seq,
            "at": _timestamp(self.at),
            "actor": self.actor,
            "actor_role": self.actor_role,
            "municipality_id": self.municipality_id,
            "action": self.action,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "fields": list(self.fields),
            "client_address": self.client_address,
            "purpose": self.purpose,
            "data_subject": self.data_subject,
            "prev_hash": self.prev_hash,
        }

    def as_json(self) -> dict[str, Any]:
        return {**self.content(), "hash": self.hash}


def _timestamp(value: dt.datetime) -> str:
    """UTC with microseconds and a `Z`: the same text from SQLite and PostgreSQL."""
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def canonical_json(content: Mapping[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8 (not \\u escapes): what the hash is computed over."""
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entry_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


@dataclasses.dataclass(frozen=True, slots=True)
class VerifyResult:
    """The outcome of `AuditLog.verify()`: ok, or the first entry that breaks the chain.

    `problem` is `hash` (the entry's content does not match its hash), `link` (its
    `prev_hash` is not the previous entry's hash, or entries before it are missing),
    `missing` (entries at the end were removed: the head records more) or `head` (the
    head does not match the entries: rows added or changed outside the log).
    """

    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: Literal["hash", "link", "missing", "head"] | None = None
    detail: str = ""

    @property
    def message(self) -> str:
        if self.ok:
            return Message(
                "sources", "%(checked)s entries verified, chain intact", {"checked": self.checked}
            ).es
        return f"entry {self.broken_seq} is broken: {self.detail}"


_BATCH = 1000


class AuditLog:
    """The audit log in the hub store. There is deliberately no update or delete method."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @property
    def _sqlite(self) -> bool:
        return self._engine.dialect.name == "sqlite"

    async def append(self, entry: AuditEntry) -> AuditRecord:
        """Write `entry` at the end of the chain, serialised against every other writer."""
        async with self._engine.connect() as connection:
            if self._sqlite:
                # Take the write lock before reading the head; waits up to the busy timeout.
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                # FOR UPDATE must see the latest head once it gets the lock.
                await connection.execution_options(isolation_level="READ COMMITTED")
            head = await _head(connection, lock=True)
            record = _chain(entry, seq=head[0] + 1, prev_hash=head[1], at=dt.datetime.now(dt.UTC))
            values = record.content()
            values["at"] = record.at
            await connection.execute(audit_log.insert().values(**values, hash=record.hash))
            moved = await connection.execute(
                audit_head.update()
                .where(audit_head.c.id == 1, audit_head.c.seq == head[0])
                .values(seq=record.seq, hash=record.hash)
            )
            if moved.rowcount != 1:  # cannot happen under the lock; never fork silently
                await connection.rollback()
                raise AuditLogError("the audit head moved during an append")
            await connection.commit()
        return record

    async def entries(
        self,
        *,
        municipality_id: str | None = None,
        data_subject: str | None = None,
        limit: int = 100,
        after_seq: int | None = None,
        before_seq: int | None = None,
        newest_first: bool = False,
    ) -> list[AuditRecord]:
        """Entries, filtered by municipality and/or data subject, by `seq`.

        Page forwards with `after_seq` (oldest first) or backwards with `before_seq` and
        `newest_first=True`. `limit` is between 1 and 1000.
        """
        if not 1 <= limit <= _BATCH:
            raise ValueError(f"limit must be between 1 and {_BATCH}")
        query = sa.select(audit_log)
        if municipality_id is not None:
            query = query.where(audit_log.c.municipality_id == municipality_id)
        if data_subject is not None:
            query = query.where(audit_log.c.data_subject == data_subject)
        if after_seq is not None:
            query = query.where(audit_log.c.seq > after_seq)
        if before_seq is not None:
            query = query.where(audit_log.c.seq < before_seq)
        order = audit_log.c.seq.desc() if newest_first else audit_log.c.seq.asc()
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query.order_by(order).limit(limit))).mappings()
            return [_record(row) for row in rows]

    async def tail(
        self,
        n: int = 20,
        *,
        municipality_id: str | None = None,
        data_subject: str | None = None,
    ) -> list[AuditRecord]:
        """The last `n` matching entries, oldest first."""
        newest = await self.entries(
            municipality_id=municipality_id,
            data_subject=data_subject,
            limit=n,
            newest_first=True,
        )
        return newest[::-1]

    async def verify(self) -> VerifyResult:
        """Walk the whole chain; report the first entry whose hash or link does not hold.

        Appends may run meanwhile: the head read first bounds what must be present, the
        head read last bounds what may be.
        """
        async with self._engine.connect() as connection:
            start = await _head(connection)
            checked = 0
            previous: AuditRecord | None = None
            hash_at_start = GENESIS_HASH
            while True:
                after = previous.seq if previous else 0
                rows = (
                    await connection.execute(
                        sa.select(audit_log)
                        .where(audit_log.c.seq > after)
                        .order_by(audit_log.c.seq)
                        .limit(_BATCH)
                    )
                ).mappings()
                batch = [_record(row) for row in rows]
                if not batch:
                    break
                for record in batch:
                    broken = _check(record, previous)
                    if broken is not None:
                        return dataclasses.replace(broken, checked=checked)
                    checked += 1
                    previous = record
                    if record.seq == start[0]:
                        hash_at_start = record.hash
                await connection.rollback()  # no long-lived snapshot on PostgreSQL
            end = await _head(connection)
        last_seq, last_hash = (previous.seq, previous.hash) if previous else (0, GENESIS_HASH)
        if last_seq < start[0]:
            return VerifyResult(
                ok=False,
                checked=checked,
                broken_seq=last_seq + 1,
                problem="missing",
                detail=f"the log ends at entry {last_seq} but its head records entry "
                f"{start[0]}: entries were removed from the end",
            )
        if hash_at_start != start[1]:
            # The chain holds but ends differently from what the head recorded: the last
            # entries were rewritten with their hashes recomputed.
            return VerifyResult(
                ok=False,
                checked=checked,
                broken_seq=start[0],
                problem="head",
                detail=f"its hash differs from the one the head recorded for entry {start[0]}: "
                "entries were rewritten outside the audit log",
            )
        if last_seq > end[0] or (last_seq == end[0] and last_hash != end[1]):
            seq = end[0] + 1 if last_seq > end[0] else last_seq
            return VerifyResult(
                ok=False,
                checked=checked,
                broken_seq=seq,
                problem="head",
                detail=f"the head records entry {end[0]}, which does not match the log's "
                f"last entry {last_seq}: entries were written outside the audit log",
            )
        return VerifyResult(ok=True, checked=checked)


def _chain(entry: AuditEntry, *, seq: int, prev_hash: str, at: dt.datetime) -> AuditRecord:
    fields = {f.name: getattr(entry, f.name) for f in dataclasses.fields(entry)}
    record = AuditRecord(
        seq=seq,
        at=_utc(at),
        prev_hash=prev_hash,
        hash="",
        **{**fields, "fields": tuple(entry.fields)},
    )
    return dataclasses.replace(record, hash=entry_hash(record.content()))


def _record(row: sa.RowMapping) -> AuditRecord:
    fields = row["fields"]
    return AuditRecord(
        seq=int(row["seq"]),
        at=_utc(row["at"]),
        actor=row["actor"],
        actor_role=row["actor_role"],
        municipality_id=row["municipality_id"],
        action=row["action"],
        record_type=row["record_type"],
        record_id=row["record_id"],
        # A list as written; anything else was put there by hand, and is kept in a form
        # that cannot hash like a list of names.
        fields=tuple(fields) if isinstance(fields, list) else (json.dumps(fields),),
        client_address=row["client_address"],
        purpose=row["purpose"],
        data_subject=row["data_subject"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def _check(record: AuditRecord, previous: AuditRecord | None) -> VerifyResult | None:
    expected_seq = previous.seq + 1 if previous else 1
    expected_prev = previous.hash if previous else GENESIS_HASH
    if entry_hash(record.content()) != record.hash:
        return VerifyResult(
            ok=False,
            checked=0,
            broken_seq=record.seq,
            problem="hash",
            detail="hash does not match its content",
        )
    if record.seq != expected_seq:
        before = f"entry {previous.seq}" if previous else "the start of the log"
        return VerifyResult(
            ok=False,
            checked=0,
            broken_seq=record.seq,
            problem="link",
            detail=f"entries {expected_seq}..{record.seq - 1} between {before} and it are missing",
        )
    if record.prev_hash != expected_prev:
        before = f"entry {previous.seq}" if previous else "the genesis value (64 zeros)"
        return VerifyResult(
            ok=False,
            checked=0,
            broken_seq=record.seq,
            problem="link",
            detail=f"prev_hash does not match the hash of {before}",
        )
    return None


async def _head(connection: AsyncConnection, *, lock: bool = False) -> tuple[int, str]:
    query = sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
    try:
        row = (await connection.execute(query.with_for_update() if lock else query)).one_or_none()
    except (sa.exc.ProgrammingError, sa.exc.OperationalError) as exc:
        # SQLite says "no such table" as an OperationalError, PostgreSQL as a ProgrammingError.
        if "audit_head" not in str(exc.orig):
            raise
        raise AuditLogError("the audit log's tables are missing: run `planasmun migrate`") from exc
    if row is None:
        raise AuditLogError("the audit head row is missing: run `planasmun migrate`")
    return int(row.seq), str(row.hash)
