"""`planasmun audit verify` and `audit tail`, run as separate processes like an operator."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from store.audit import AuditEntry, AuditLog
from tests.audit.helpers import fill, staff_read, tamper
from tests.support import PROJECT_ROOT

# `planasmun` with the audit commands hung on it the way gateway/cli.py does.
PLANASMUN = """
import argparse, sys
from gateway.audit_cli import add_audit_commands
parser = argparse.ArgumentParser(prog="planasmun")
commands = parser.add_subparsers(dest="command", required=True)
add_audit_commands(commands)
args = parser.parse_args(sys.argv[1:])
sys.exit(args.handler(args))
"""


async def planasmun(database_url: str, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        PLANASMUN,
        *args,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PLANASMUN_DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def run_verify(database_url: str) -> tuple[int, str, str]:
    """`run_verify` itself, called from `python -c` with the URL passed in."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys; from gateway.audit_cli import run_verify; sys.exit(run_verify(sys.argv[1]))",
        database_url,
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_verify_exit_codes_and_messages(
    store_url: str, log: AuditLog, engine: AsyncEngine
) -> None:
    assert await run_verify(store_url) == (0, "0 entradas verificadas, cadena íntegra\n", "")
    await fill(log, 20)
    code, out, err = await run_verify(store_url)
    assert (code, out, err) == (0, "20 entradas verificadas, cadena íntegra\n", "")
    assert await planasmun(store_url, "audit", "verify") == (code, out, err)

    await tamper(engine, "UPDATE audit_log SET purpose = 'otra cosa' WHERE seq = 17")
    code, out, err = await run_verify(store_url)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "entry 17 is broken: hash does not match its content",
        "16 entries before it verified.",
    ]
    assert await planasmun(store_url, "audit", "verify") == (code, out, err)


async def test_verify_reports_a_deleted_row(
    store_url: str, log: AuditLog, engine: AsyncEngine
) -> None:
    await fill(log, 10)
    await tamper(engine, "DELETE FROM audit_log WHERE seq = 4")
    code, _, err = await run_verify(store_url)
    assert code == 1
    assert err.startswith("entry 5 is broken: entries 4..4 between entry 3 and it are missing")


async def test_verify_on_a_store_without_the_log(tmp_path: Path) -> None:
    missing = f"sqlite+aiosqlite:///{tmp_path / 'none.db'}"
    code, out, err = await run_verify(missing)
    assert (code, out) == (2, "")
    assert "no hub store at" in err
    assert not (tmp_path / "none.db").exists()

    unmigrated = tmp_path / "empty.db"
    unmigrated.touch()
    code, out, err = await run_verify(f"sqlite+aiosqlite:///{unmigrated}")
    assert (code, out) == (2, "")
    assert "planasmun migrate" in err and "Traceback" not in err


async def test_tail_filters_and_formats(store_url: str, log: AuditLog) -> None:
    await log.append(staff_read(1, municipality="santiago", subject="c-ana"))
    await log.append(staff_read(2, municipality="la-vega", subject="c-ana"))
    await log.append(staff_read(3, municipality="santiago", subject="c-luis"))
    await log.append(AuditEntry(actor="n-admin", actor_role="national:admin", action="login"))

    code, out, err = await planasmun(store_url, "audit", "tail")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == ["1", "2", "3", "4"]
    assert "s-santiago-agent (staff:santiago:agent)" in lines[0]
    assert "read_personal_data  santiago  service_request/req-1" in lines[0]
    assert "fields=name,phone  subject=c-ana  from=192.0.2.10" in lines[0]
    assert lines[0].endswith('purpose="atender la solicitud"')
    assert "n-admin (national:admin)  login  -" in lines[3]

    _, out, _ = await planasmun(store_url, "audit", "tail", "--municipality", "santiago")
    assert [line.split()[0] for line in out.splitlines()] == ["1", "3"]
    _, out, _ = await planasmun(store_url, "audit", "tail", "--subject", "c-ana", "-n", "1")
    assert [line.split()[0] for line in out.splitlines()] == ["2"]
    _, out, _ = await planasmun(
        store_url, "audit", "tail", "--municipality", "santiago", "--subject", "c-luis", "--json"
    )
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert record["seq"] == 3 and record["fields"] == ["name", "phone"]
    assert len(record["hash"]) == 64

    code, _, err = await planasmun(store_url, "audit", "tail", "-n", "0")
    assert code == 2 and "-n" in err
