"""How SQLAlchemy's and the drivers' exceptions become the connector error tree (`sql`).

A lost or refused connection, a busy or locked database, a full pool is transient; a
statement timeout is `UpstreamTimeout`; a missing table or a bad statement is an
`UpstreamError`. Messages give the driver's own text, without the SQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, NoSuchTableError, SQLAlchemyError

from connectors.errors import ConnectorError, TransientError, UpstreamError, UpstreamTimeout

__all__ = ["classify", "describe", "error_class", "error_codes"]


def classify(source: str, exc: BaseException) -> ConnectorError | None:
    """The error a SQLAlchemy or socket exception becomes (`connectors.boundary`), or None."""
    if not isinstance(exc, SQLAlchemyError | OSError):
        return None
    return error_class(exc)(f"{source}: {describe(exc)}")


#: SQLSTATE classes (PostgreSQL, and any driver that reports them) worth retrying.
_TRANSIENT_SQLSTATES = ("08", "53", "57P", "40001", "40P01", "55P03")
#: SQLite primary result codes worth retrying: BUSY, LOCKED, IOERR, CANTOPEN.
_TRANSIENT_SQLITE = frozenset({5, 6, 10, 14})
#: MySQL error numbers worth retrying (cannot connect, gone away, lost, too many, lock wait).
_TRANSIENT_MYSQL = frozenset({1040, 1205, 1213, 2002, 2003, 2005, 2006, 2013, 2055})


def error_class(exc: BaseException) -> type[ConnectorError]:
    """What the caller should do about a backend exception (see `connectors.errors`)."""
    if isinstance(exc, TimeoutError):
        return UpstreamTimeout
    if isinstance(exc, sa.exc.TimeoutError):
        return TransientError  # no free connection in the pool
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return TransientError
        orig = exc.orig
        sqlstate = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
        if sqlstate:
            if sqlstate == "57014":
                return UpstreamTimeout  # statement timeout / cancelled
            return TransientError if sqlstate.startswith(_TRANSIENT_SQLSTATES) else UpstreamError
        sqlite_code = getattr(orig, "sqlite_errorcode", None)
        if isinstance(sqlite_code, int):
            return TransientError if (sqlite_code & 0xFF) in _TRANSIENT_SQLITE else UpstreamError
        args = getattr(orig, "args", ())
        if args and isinstance(args[0], int):
            if args[0] == 3024:
                return UpstreamTimeout  # MySQL max_execution_time
            return TransientError if args[0] in _TRANSIENT_MYSQL else UpstreamError
        return TransientError if isinstance(exc, sa.exc.OperationalError) else UpstreamError
    if isinstance(exc, SQLAlchemyError):
        return UpstreamError
    if isinstance(exc, OSError):
        return TransientError  # refused, unreachable, name not resolved
    return UpstreamError


def describe(exc: BaseException) -> str:
    if isinstance(exc, NoSuchTableError):
        return f"no such table or view: {exc}"
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        text = str(exc.orig)
    else:
        text = str(exc) or type(exc).__name__
    text = text.split("\n[SQL:", 1)[0].strip()
    return f"{type(exc).__name__}: {text}"


def error_codes(exc: DBAPIError) -> list[str]:
    """The codes the driver gives an error: its SQLSTATE, SQLite's error name
    (``SQLITE_CONSTRAINT_TRIGGER``), MySQL's error number."""
    orig = exc.orig
    codes = [
        str(getattr(orig, name))
        for name in ("sqlstate", "pgcode", "sqlite_errorname")
        if getattr(orig, name, None)
    ]
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int):
        codes.append(str(args[0]))
    return codes
