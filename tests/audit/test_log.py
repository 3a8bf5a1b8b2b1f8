"""The audit log on SQLite and PostgreSQL: append, read back, verify, resist tampering."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from store import audit as audit_module
from store.audit import GENESIS_HASH, AuditEntry, AuditLog, KnownAction
from tests.audit.helpers import fill, scalar, staff_read, tamper


async def test_append_and_read_back(log: AuditLog) -> None:
    before = dt.datetime.now(dt.UTC)
    written = await log.append(staff_read(1))
    second = await log.append(
        AuditEntry(actor="system", actor_role="system", action=KnownAction.LOGIN)
    )
    (read,) = await log.entries(limit=1)
    assert read == written
    assert read.seq == 1 and second.seq == 2
    assert before <= read.at <= dt.datetime.now(dt.UTC)
    assert read.at.tzinfo is not None and read.at.utcoffset() == dt.timedelta(0)
    assert read.fields == ("name", "phone")
    assert read.purpose == "atender la solicitud"
    assert read.data_subject == "c-0001"
    assert read.client_address == "192.0.2.10"
    assert read.prev_hash == GENESIS_HASH
    assert second.prev_hash == read.hash
    assert second.action == "login" and second.record_id is None and second.fields == ()


async def test_hash_is_sha256_of_the_documented_canonical_json(log: AuditLog) -> None:
    """An outside auditor can recompute a hash from the row alone, with no project code."""
    record = await log.append(staff_read(1))
    (row,) = await log.entries()
    content = {
        "seq": 1,
        "at": row.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": "s-santiago-agent",
        "actor_role": "staff:santiago:agent",
        "municipality_id": "santiago",
        "action": "read_personal_data",
        "record_type": "service_request",
        "record_id": "req-1",
        "fields": ["name", "phone"],
        "client_address": "192.0.2.10",
        "purpose": "atender la solicitud",
        "data_subject": "c-0001",
        "prev_hash": "0" * 64,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert record.hash == row.hash == hashlib.sha256(text.encode()).hexdigest()


async def test_chain_verifies(log: AuditLog) -> None:
    empty = await log.verify()
    assert empty.ok and empty.checked == 0
    assert empty.message == "0 entradas verificadas, cadena íntegra"
    await fill(log, 30)
    result = await log.verify()
    assert result.ok and result.checked == 30 and result.broken_seq is None
    assert result.message == "30 entradas verificadas, cadena íntegra"


async def test_chain_verifies_across_batches(
    log: AuditLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_module, "_BATCH", 7)
    await fill(log, 20)
    assert (await log.verify()).checked == 20


@pytest.mark.parametrize(
    "change",
    [
        "actor = 'intruso'",
        "purpose = 'otra cosa'",
        "data_subject = NULL",
        'fields = \'["name", "cedula"]\'',
        "municipality_id = 'la-vega'",
        "at = '2020-01-01 00:00:00.000000'",
        "prev_hash = '" + "1" * 64 + "'",
        "hash = '" + "2" * 64 + "'",
    ],
)
async def test_editing_one_row_reports_exactly_that_entry(
    log: AuditLog, engine: AsyncEngine, change: str
) -> None:
    await fill(log, 30)
    await tamper(engine, f"UPDATE audit_log SET {change} WHERE seq = 17")
    result = await log.verify()
    assert not result.ok
    assert (result.broken_seq, result.problem, result.checked) == (17, "hash", 16)
    assert result.message == "entry 17 is broken: hash does not match its content"


async def test_rewriting_a_row_with_its_hash_recomputed_breaks_the_next_link(
    log: AuditLog, engine: AsyncEngine
) -> None:
    await fill(log, 30)
    (victim,) = await log.entries(after_seq=16, limit=1)
    forged = dataclasses.replace(victim, purpose="otra cosa", hash="")
    new_hash = audit_module.entry_hash(forged.content())
    await tamper(
        engine, f"UPDATE audit_log SET purpose = 'otra cosa', hash = '{new_hash}' WHERE seq = 17"
    )
    result = await log.verify()
    assert (result.broken_seq, result.problem) == (18, "link")
    assert result.message == "entry 18 is broken: prev_hash does not match the hash of entry 17"


async def test_deleting_a_middle_row_is_a_broken_link(log: AuditLog, engine: AsyncEngine) -> None:
    await fill(log, 30)
    await tamper(engine, "DELETE FROM audit_log WHERE seq = 12")
    result = await log.verify()
    assert (result.broken_seq, result.problem, result.checked) == (13, "link", 11)
    assert "entry 13 is broken" in result.message and "missing" in result.message


async def test_deleting_the_first_row_is_a_broken_link(log: AuditLog, engine: AsyncEngine) -> None:
    await fill(log, 5)
    await tamper(engine, "DELETE FROM audit_log WHERE seq = 1")
    result = await log.verify()
    assert (result.broken_seq, result.problem) == (2, "link")


async def test_cutting_off_the_end_is_noticed(log: AuditLog, engine: AsyncEngine) -> None:
    await fill(log, 10)
    await tamper(engine, "DELETE FROM audit_log WHERE seq > 8")
    result = await log.verify()
    assert (result.broken_seq, result.problem, result.checked) == (9, "missing", 8)
    assert "removed from the end" in result.message


async def test_rewriting_the_last_row_with_its_hash_recomputed_is_noticed(
    log: AuditLog, engine: AsyncEngine
) -> None:
    await fill(log, 10)
    (last,) = await log.tail(1)
    forged = dataclasses.replace(last, actor="otro", hash="")
    new_hash = audit_module.entry_hash(forged.content())
    await tamper(engine, f"UPDATE audit_log SET actor = 'otro', hash = '{new_hash}' WHERE seq = 10")
    result = await log.verify()
    assert (result.broken_seq, result.problem) == (10, "head")


async def test_rows_forged_beyond_the_head_are_noticed(log: AuditLog, engine: AsyncEngine) -> None:
    await fill(log, 3)
    (last,) = await log.tail(1)
    forged = dataclasses.replace(last, seq=4, prev_hash=last.hash, actor="otro", hash="")
    values = {
        **forged.content(),
        "at": forged.at,
        "hash": audit_module.entry_hash(forged.content()),
    }
    async with engine.begin() as connection:  # inserting is not refused by a trigger
        await connection.execute(audit_module.audit_log.insert().values(**values))
    result = await log.verify()
    assert (result.broken_seq, result.problem) == (4, "head")


async def test_triggers_refuse_update_and_delete(log: AuditLog, engine: AsyncEngine) -> None:
    await fill(log, 3)
    refused = [
        "UPDATE audit_log SET purpose = 'x' WHERE seq = 2",
        "UPDATE audit_log SET purpose = purpose",
        "DELETE FROM audit_log WHERE seq = 3",
        "DELETE FROM audit_log",
        "UPDATE audit_head SET seq = 0, hash = '" + "0" * 64 + "'",
        "UPDATE audit_head SET seq = seq + 2",
        "DELETE FROM audit_head",
    ]
    if engine.dialect.name == "postgresql":
        refused += ["TRUNCATE audit_log", "TRUNCATE audit_head"]
    for statement in refused:
        with pytest.raises(sa.exc.DBAPIError, match=r"append-only|only moves one entry forward"):
            async with engine.begin() as connection:
                await connection.exec_driver_sql(statement)
    assert await scalar(engine, "SELECT count(*) FROM audit_log") == 3
    assert (await log.verify()).ok


async def test_filters_by_municipality_and_data_subject(log: AuditLog) -> None:
    await log.append(staff_read(1, municipality="santiago", subject="c-ana"))
    await log.append(staff_read(2, municipality="la-vega", subject="c-ana"))
    await log.append(staff_read(3, municipality="santiago", subject="c-luis"))
    await log.append(staff_read(4, municipality="la-vega", subject="c-luis"))
    await log.append(AuditEntry(actor="c-ana", actor_role="citizen", action="login"))

    santiago = await log.entries(municipality_id="santiago")
    assert [e.record_id for e in santiago] == ["req-1", "req-3"]
    ana = await log.entries(data_subject="c-ana")
    assert [e.record_id for e in ana] == ["req-1", "req-2"]
    both = await log.entries(municipality_id="la-vega", data_subject="c-luis")
    assert [e.record_id for e in both] == ["req-4"]
    assert await log.entries(municipality_id="jarabacoa") == []
    assert len(await log.entries()) == 5


async def test_paging_and_tail(log: AuditLog) -> None:
    await fill(log, 12)
    first = await log.entries(limit=5)
    assert [e.seq for e in first] == [1, 2, 3, 4, 5]
    after = await log.entries(limit=5, after_seq=first[-1].seq)
    assert [e.seq for e in after] == [6, 7, 8, 9, 10]
    newest = await log.entries(limit=3, newest_first=True)
    assert [e.seq for e in newest] == [12, 11, 10]
    older = await log.entries(limit=3, newest_first=True, before_seq=newest[-1].seq)
    assert [e.seq for e in older] == [9, 8, 7]
    assert [e.seq for e in await log.tail(4)] == [9, 10, 11, 12]
    assert [e.seq for e in await log.tail(4, municipality_id="santiago")] == [9, 10, 11, 12]
    with pytest.raises(ValueError, match="limit"):
        await log.entries(limit=0)


async def test_the_log_offers_no_update_or_delete() -> None:
    public = {name for name in dir(AuditLog) if not name.startswith("_")}
    assert public == {"append", "entries", "tail", "verify"}
