"""What the hub holds about a citizen (Ley 172-13): a profile and the consents given.

A profile is keyed by the identity provider's subject (`sub`) and holds the personal
fields the citizen chose to give (name, cédula, phone, e-mail, address) and the local
government it is linked to, whose staff may read it. It is created on the citizen's first
write, never from a mere sign-in. Every profile has an opaque random `id`: that, never a
personal value, is what the audit log names.

Consents record what the citizen agreed to when personal data was collected: the purpose,
the version of the text they were shown, when, and when they withdrew it.

Cancellation (`erase`) anonymises instead of deleting: the personal fields become NULL,
the subject is cut off (NULL), consents are marked withdrawn, and the row stays, so that
public statistics still count it without the person behind it.

Authorisation and auditing are the caller's job (the schema layer). This module never
logs; `Profile`'s repr shows no personal value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Callable, Mapping

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from store.scrub import overwrite_freed_space, vacuum_erased
from store.store import metadata

__all__ = [
    "PERSONAL_COLUMNS",
    "CitizenStore",
    "Consent",
    "Erasure",
    "Profile",
    "ProfileChanges",
    "citizen_consents",
    "citizen_profiles",
    "new_id",
]

# Column sizes, shared by the tables, the migration's copy of them and the schema's
# validation, so that PostgreSQL never refuses a value the validation accepted.
ID_LENGTH = 32
SUBJECT_LENGTH = 200
MUNICIPALITY_LENGTH = 64
NAME_LENGTH = 200
CEDULA_LENGTH = 13
PHONE_LENGTH = 20
EMAIL_LENGTH = 254
ADDRESS_LENGTH = 300
PURPOSE_LENGTH = 64
TEXT_VERSION_LENGTH = 64

#: The profile's columns that hold personal data, in the order pages and exports show them.
PERSONAL_COLUMNS: tuple[str, ...] = ("name", "cedula", "phone", "email", "address")

citizen_profiles = sa.Table(
    "citizen_profiles",
    metadata,
    sa.Column("id", sa.String(ID_LENGTH), primary_key=True),
    # NULL once the citizen asked for cancellation: the row no longer leads to anyone.
    sa.Column("subject", sa.String(SUBJECT_LENGTH), nullable=True),
    sa.Column("municipality_id", sa.String(MUNICIPALITY_LENGTH), nullable=True),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=True),
    sa.Column("cedula", sa.String(CEDULA_LENGTH), nullable=True),
    sa.Column("phone", sa.String(PHONE_LENGTH), nullable=True),
    sa.Column("email", sa.String(EMAIL_LENGTH), nullable=True),
    sa.Column("address", sa.String(ADDRESS_LENGTH), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("subject", name="uq_citizen_profiles_subject"),
    sa.Index("ix_citizen_profiles_municipality", "municipality_id"),
)

citizen_consents = sa.Table(
    "citizen_consents",
    metadata,
    sa.Column("id", sa.String(ID_LENGTH), primary_key=True),
    sa.Column(
        "profile_id",
        sa.String(ID_LENGTH),
        sa.ForeignKey("citizen_profiles.id", name="fk_citizen_consents_profile"),
        nullable=False,
    ),
    sa.Column("purpose", sa.String(PURPOSE_LENGTH), nullable=False),
    sa.Column("text_version", sa.String(TEXT_VERSION_LENGTH), nullable=False),
    sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_citizen_consents_profile", "profile_id"),
)


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def new_id() -> str:
    """An opaque random id: what the audit log names instead of anything personal."""
    return secrets.token_hex(ID_LENGTH // 2)


@dataclasses.dataclass(frozen=True, slots=True)
class Profile:
    """A citizen's profile. Personal fields stay out of `repr` (logs, tracebacks)."""

    id: str
    subject: str
    municipality_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    name: str | None = dataclasses.field(default=None, repr=False)
    cedula: str | None = dataclasses.field(default=None, repr=False)
    phone: str | None = dataclasses.field(default=None, repr=False)
    email: str | None = dataclasses.field(default=None, repr=False)
    address: str | None = dataclasses.field(default=None, repr=False)

    def personal(self) -> dict[str, str | None]:
        """The personal fields by column name (`PERSONAL_COLUMNS`)."""
        return {column: getattr(self, column) for column in PERSONAL_COLUMNS}

    def held(self) -> tuple[str, ...]:
        """Names of the personal fields that hold a value."""
        return tuple(column for column in PERSONAL_COLUMNS if getattr(self, column) is not None)


@dataclasses.dataclass(frozen=True, slots=True)
class ProfileChanges:
    """A rectification: the new value of every personal field (None clears it) and the
    municipality. Build it from validated, normalised input only."""

    municipality_id: str | None
    name: str | None = dataclasses.field(default=None, repr=False)
    cedula: str | None = dataclasses.field(default=None, repr=False)
    phone: str | None = dataclasses.field(default=None, repr=False)
    email: str | None = dataclasses.field(default=None, repr=False)
    address: str | None = dataclasses.field(default=None, repr=False)

    def values(self) -> dict[str, str | None]:
        return {
            "municipality_id": self.municipality_id,
            **{column: getattr(self, column) for column in PERSONAL_COLUMNS},
        }

    def changed_fields(self, current: Profile | None) -> tuple[str, ...]:
        """Columns whose value differs from `current` (every non-empty one for a new profile)."""
        new = self.values()
        if current is None:
            return tuple(column for column, value in new.items() if value is not None)
        old = {"municipality_id": current.municipality_id, **current.personal()}
        return tuple(column for column in new if new[column] != old[column])

    @property
    def has_personal_data(self) -> bool:
        return any(getattr(self, column) is not None for column in PERSONAL_COLUMNS)


@dataclasses.dataclass(frozen=True, slots=True)
class Consent:
    id: str
    profile_id: str
    purpose: str
    text_version: str
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    @classmethod
    def given(
        cls, profile_id: str, purpose: str, text_version: str, *, now: dt.datetime | None = None
    ) -> Consent:
        """A consent to `purpose` as worded in `text_version`, given now (not yet stored)."""
        return cls(
            id=new_id(),
            profile_id=profile_id,
            purpose=purpose,
            text_version=text_version,
            given_at=now or dt.datetime.now(dt.UTC),
            withdrawn_at=None,
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Erasure:
    """What a cancellation did: which profile, and which personal fields it emptied."""

    profile_id: str
    municipality_id: str | None
    fields: tuple[str, ...]
    consents_withdrawn: int


def _profile(row: sa.RowMapping) -> Profile:
    return Profile(
        id=row["id"],
        subject=row["subject"],
        municipality_id=row["municipality_id"],
        created_at=_utc(row["created_at"]),
        updated_at=_utc(row["updated_at"]),
        **{column: row[column] for column in PERSONAL_COLUMNS},
    )


def _consent(row: sa.RowMapping) -> Consent:
    withdrawn = row["withdrawn_at"]
    return Consent(
        id=row["id"],
        profile_id=row["profile_id"],
        purpose=row["purpose"],
        text_version=row["text_version"],
        given_at=_utc(row["given_at"]),
        withdrawn_at=None if withdrawn is None else _utc(withdrawn),
    )


class CitizenStore:
    """Citizens' profiles and consents in the hub store (SQLite or PostgreSQL).

    On SQLite, writes that replace or erase personal data run with `secure_delete`, so
    that the old values do not linger in the database file's free space. (PostgreSQL
    keeps old row versions until VACUUM reclaims them.)
    """

    def __init__(self, engine: AsyncEngine, *, on_change: Callable[[], None] | None = None) -> None:
        self._engine = engine
        #: Called after every committed write (the hub clears its response cache: public
        #: counts change).
        self._on_change = on_change

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()

    async def profile(self, subject: str) -> Profile | None:
        """The profile of `subject`; None if they never wrote one or had it erased."""
        async with self._engine.connect() as connection:
            return await _profile_of(connection, subject)

    async def ensure_profile(self, subject: str, *, now: dt.datetime | None = None) -> Profile:
        """`subject`'s profile, created empty (no personal data yet) if they have none."""
        now = now or dt.datetime.now(dt.UTC)
        for attempt in range(2):
            try:
                async with self._engine.begin() as connection:
                    current = await _profile_of(connection, subject)
                    if current is not None:
                        return current
                    await connection.execute(
                        citizen_profiles.insert().values(
                            id=new_id(), subject=subject, created_at=now, updated_at=now
                        )
                    )
                    created = await _profile_of(connection, subject)
                    assert created is not None
                self._changed()
                return created
            except sa.exc.IntegrityError:
                # Another request created it first: take that one.
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def update_profile(
        self, profile_id: str, changes: ProfileChanges, *, now: dt.datetime | None = None
    ) -> Profile | None:
        """Rectify the profile: every personal field and the municipality as `changes`
        says. None if the profile was erased meanwhile."""
        async with self._engine.begin() as connection:
            await overwrite_freed_space(connection)
            updated = await connection.execute(
                citizen_profiles.update()
                .where(citizen_profiles.c.id == profile_id, citizen_profiles.c.erased_at.is_(None))
                .values(updated_at=now or dt.datetime.now(dt.UTC), **changes.values())
            )
            if updated.rowcount != 1:
                return None
            row = (
                (
                    await connection.execute(
                        sa.select(citizen_profiles).where(citizen_profiles.c.id == profile_id)
                    )
                )
                .mappings()
                .one()
            )
        self._changed()
        return _profile(row)

    async def consents(self, subject: str) -> list[Consent]:
        """Every consent `subject` gave, oldest first (withdrawn ones included)."""
        query = (
            sa.select(citizen_consents)
            .join(citizen_profiles, citizen_profiles.c.id == citizen_consents.c.profile_id)
            .where(citizen_profiles.c.subject == subject)
            .order_by(citizen_consents.c.given_at, citizen_consents.c.id)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).mappings()
            return [_consent(row) for row in rows]

    async def add_consent(self, consent: Consent) -> None:
        """Record a consent (see `Consent.given`)."""
        async with self._engine.begin() as connection:
            await connection.execute(
                citizen_consents.insert().values(**dataclasses.asdict(consent))
            )
        self._changed()

    async def erase(self, subject: str, *, now: dt.datetime | None = None) -> Erasure | None:
        """Cancellation: empty the personal fields, cut the subject off, withdraw consents.

        The row stays for statistics. None when `subject` has no profile.
        """
        now = now or dt.datetime.now(dt.UTC)
        async with self._engine.begin() as connection:
            current = await _profile_of(connection, subject)
            if current is None:
                return None
            await overwrite_freed_space(connection)
            await connection.execute(
                citizen_profiles.update()
                .where(citizen_profiles.c.id == current.id)
                .values(
                    subject=None,
                    updated_at=now,
                    erased_at=now,
                    **dict.fromkeys(PERSONAL_COLUMNS),
                )
            )
            withdrawn = await connection.execute(
                citizen_consents.update()
                .where(
                    citizen_consents.c.profile_id == current.id,
                    citizen_consents.c.withdrawn_at.is_(None),
                )
                .values(withdrawn_at=now)
            )
        await vacuum_erased(self._engine, (citizen_profiles,))
        self._changed()
        return Erasure(current.id, current.municipality_id, current.held(), withdrawn.rowcount)

    async def statistics(self) -> Mapping[str, int]:
        """Counts without anyone in them: profiles (erased ones included), erased profiles."""
        query = sa.select(
            sa.func.count(),
            sa.func.count(citizen_profiles.c.erased_at),
        ).select_from(citizen_profiles)
        async with self._engine.connect() as connection:
            total, erased = (await connection.execute(query)).one()
        return {"profiles": int(total), "erased": int(erased)}


async def _profile_of(connection: AsyncConnection, subject: str) -> Profile | None:
    row = (
        (
            await connection.execute(
                sa.select(citizen_profiles).where(citizen_profiles.c.subject == subject)
            )
        )
        .mappings()
        .one_or_none()
    )
    return None if row is None else _profile(row)
