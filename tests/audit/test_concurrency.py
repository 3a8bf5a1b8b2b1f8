"""Concurrent appends from many tasks and several processes never fork the chain."""

from __future__ import annotations

import asyncio
import sys

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from store.audit import AuditLog
from tests.audit.helpers import staff_read
from tests.support import PROJECT_ROOT

TASKS = 50
PROCESSES = 2
PER_PROCESS = 30

# A worker process: connects, says "ready", waits for "go" so that every writer starts
# together, then appends its entries concurrently and says how many it wrote.
WORKER = """
import asyncio, sys
from store.audit import AuditLog
from store.store import create_engine
from tests.audit.helpers import staff_read

async def main(url, tag, count):
    engine = create_engine(url)
    log = AuditLog(engine)
    async with engine.connect():
        pass
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    written = await asyncio.gather(
        *(log.append(staff_read(n, municipality=tag)) for n in range(count))
    )
    await engine.dispose()
    print(len(written), flush=True)

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


async def test_concurrent_tasks_and_processes_build_one_chain(
    store_url: str, engine: AsyncEngine, log: AuditLog
) -> None:
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            WORKER,
            store_url,
            tag,
            str(PER_PROCESS),
            cwd=PROJECT_ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for tag in ("la-vega", "jarabacoa")[:PROCESSES]
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None
            line = await asyncio.wait_for(worker.stdout.readline(), 60)
            assert line == b"ready\n", (await worker.communicate())[1].decode()
        async with engine.connect():  # warm the pool before the start signal
            pass
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write(b"go\n")
            await worker.stdin.drain()
        written = await asyncio.gather(
            *(log.append(staff_read(n, municipality="santiago")) for n in range(TASKS))
        )
        outputs = [await asyncio.wait_for(w.communicate(), 120) for w in workers]
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
    for worker, (stdout, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr.decode()
        assert stdout.split()[-1] == str(PER_PROCESS).encode()

    total = TASKS + PROCESSES * PER_PROCESS
    assert sorted(r.seq for r in written) == sorted({r.seq for r in written})
    async with engine.connect() as connection:
        seqs = (await connection.execute(sa.text("SELECT seq FROM audit_log ORDER BY seq"))).all()
        links = (
            await connection.execute(sa.text("SELECT count(DISTINCT prev_hash) FROM audit_log"))
        ).scalar_one()
    assert [s for (s,) in seqs] == list(range(1, total + 1))
    assert links == total
    result = await log.verify()
    assert result.ok and result.checked == total
    # Each writer's entries landed in the one chain.
    for tag, count in (("santiago", TASKS), ("la-vega", PER_PROCESS), ("jarabacoa", PER_PROCESS)):
        assert len(await log.entries(municipality_id=tag, limit=1000)) == count


async def test_verify_while_appending_always_holds(log: AuditLog) -> None:
    """A verify running beside appends sees a consistent prefix, never a false alarm."""
    stop = asyncio.Event()

    async def verify_until_stopped() -> list[int]:
        counts = []
        while not stop.is_set():
            result = await log.verify()
            assert result.ok, result.message
            counts.append(result.checked)
        return counts

    checker = asyncio.create_task(verify_until_stopped())
    await asyncio.gather(*(log.append(staff_read(n)) for n in range(TASKS)))
    stop.set()
    counts = await checker
    assert counts == sorted(counts)
    assert (await log.verify()).checked == TASKS
