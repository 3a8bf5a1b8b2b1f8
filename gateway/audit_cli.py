"""`planasmun audit verify` and `planasmun audit tail`: the audit log for operators.

`run_verify` and `run_tail` take the database URL and the output streams, so that tests
call them directly; `add_audit_commands` hangs them under `planasmun audit` with the URL
from `Settings().database_url`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from store.audit import AuditLog, AuditLogError, AuditRecord, VerifyResult
from store.store import create_engine

#: Exit codes: the chain holds, the chain is broken, the check could not run.
OK, BROKEN, FAILED = 0, 1, 2


def run_verify(database_url: str, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Check the whole chain: 0 and "N entradas verificadas, cadena íntegra", or 1 and the
    first broken entry ("entry 17 is broken: hash does not match its content")."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        result = asyncio.run(_verify(database_url))
    except (AuditLogError, sa.exc.SQLAlchemyError, OSError) as exc:
        print(f"audit verify could not run: {_reason(exc)}", file=err)
        return FAILED
    if result.ok:
        print(result.message, file=out)
        return OK
    print(result.message, file=err)
    print(f"{result.checked} entries before it verified.", file=err)
    return BROKEN


def run_tail(
    database_url: str,
    *,
    municipality: str | None = None,
    subject: str | None = None,
    n: int = 20,
    as_json: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Print the last `n` entries (oldest first), filtered by municipality or subject."""
    out = out or sys.stdout
    err = err or sys.stderr
    if not 1 <= n <= 1000:
        print("audit tail: -n must be between 1 and 1000", file=err)
        return FAILED
    try:
        records = asyncio.run(_tail(database_url, municipality, subject, n))
    except (AuditLogError, sa.exc.SQLAlchemyError, OSError) as exc:
        print(f"audit tail could not run: {_reason(exc)}", file=err)
        return FAILED
    for record in records:
        if as_json:
            print(json.dumps(record.as_json(), ensure_ascii=False, sort_keys=True), file=out)
        else:
            print(format_record(record), file=out)
    return OK


def format_record(record: AuditRecord) -> str:
    """One line per entry: seq, time, who, what, where, on which record, which fields, why."""
    parts = [
        f"{record.seq:>6}",
        record.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        f"{record.actor} ({record.actor_role})",
        record.action,
        record.municipality_id or "-",
    ]
    if record.record_type or record.record_id:
        parts.append(f"{record.record_type or '?'}/{record.record_id or '?'}")
    if record.fields:
        parts.append("fields=" + ",".join(record.fields))
    if record.data_subject:
        parts.append(f"subject={record.data_subject}")
    if record.client_address:
        parts.append(f"from={record.client_address}")
    if record.purpose:
        parts.append(f"purpose={json.dumps(record.purpose, ensure_ascii=False)}")
    return "  ".join(parts)


def add_audit_commands(commands: Any) -> None:
    """Add `audit verify` and `audit tail` to `planasmun`'s subcommands.

    `commands` is what `ArgumentParser.add_subparsers()` returned; each handler takes the
    parsed arguments and returns the exit code, like the CLI's other handlers.
    """
    audit = commands.add_parser("audit", help="check and read the personal-data audit log")
    actions = audit.add_subparsers(dest="audit_command", required=True)
    verify = actions.add_parser("verify", help="check the hash chain; exit 1 if it is broken")
    verify.set_defaults(handler=_verify_handler)
    tail = actions.add_parser("tail", help="print the last entries")
    tail.add_argument("--municipality", help="only this municipality's entries")
    tail.add_argument("--subject", help="only entries about this data subject (subject id)")
    tail.add_argument("-n", type=int, default=20, help="how many entries (default 20)")
    tail.add_argument("--json", action="store_true", help="one JSON object per line")
    tail.set_defaults(handler=_tail_handler)


def _verify_handler(args: argparse.Namespace) -> int:
    return run_verify(_database_url())


def _tail_handler(args: argparse.Namespace) -> int:
    return run_tail(
        _database_url(),
        municipality=args.municipality,
        subject=args.subject,
        n=args.n,
        as_json=args.json,
    )


def _database_url() -> str:
    from gateway.settings import Settings

    return Settings().database_url


def _engine(database_url: str) -> AsyncEngine:
    # Opening a SQLite path that does not exist would create an empty database there.
    url = sa.engine.make_url(database_url)
    path = url.database if url.get_backend_name() == "sqlite" else None
    if path and path != ":memory:" and not Path(path).exists():
        raise AuditLogError(f"no hub store at {path}")
    return create_engine(database_url)


async def _verify(database_url: str) -> VerifyResult:
    engine = _engine(database_url)
    try:
        return await AuditLog(engine).verify()
    finally:
        await engine.dispose()


async def _tail(
    database_url: str, municipality: str | None, subject: str | None, n: int
) -> list[AuditRecord]:
    engine = _engine(database_url)
    try:
        return await AuditLog(engine).tail(n, municipality_id=municipality, data_subject=subject)
    finally:
        await engine.dispose()


def _reason(exc: BaseException) -> str:
    # The driver's first line names the problem; the rest (SQL, parameters) is noise here.
    if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None:
        return f"{type(exc.orig).__name__}: {str(exc.orig).splitlines()[0]}"
    return str(exc) or type(exc).__name__
