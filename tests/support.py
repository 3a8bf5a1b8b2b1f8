"""Shared test helpers: real servers and real browsers, never skipped silently in CI."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from demo.systems import DemoPorts, DemoSystems, demo_systems

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, what: str) -> None:
    """Skip on a developer machine that lacks a real part; fail in CI, where it must exist."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"CI must provide {what}, and it is missing")
    pytest.skip(f"{what} is not available here")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def running_hub(
    tmp_dir: Path, env: Mapping[str, str] | None = None, timeout: float = 30.0
) -> Iterator[str]:
    """The real hub under uvicorn in a subprocess, on 127.0.0.1; yields its base URL."""
    port = free_port()
    full_env = {
        **os.environ,
        "PLANASMUN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_dir / 'hub.db'}",
        # The demo's simulated systems on free ports, so that a demo running on this
        # machine (fixed ports) and the tests never meet.
        "PLANASMUN_DEMO_DATA_DIR": str(tmp_dir / "demo-systems"),
        "PLANASMUN_DEMO_SIGEM_PORT": str(free_port()),
        "PLANASMUN_DEMO_MUNISOFT_PORT": str(free_port()),
        "PLANASMUN_DEMO_PORTAL_PORT": str(free_port()),
        "PLANASMUN_DEMO_IDP_PORT": str(free_port()),
        # Every test request comes from 127.0.0.1: keep the limiter in the path, but out of
        # the way (tests/gateway/test_ratelimit.py checks the limits themselves).
        "PLANASMUN_RATE_LIMIT_PER_MINUTE_IP": "1000000",
        "PLANASMUN_RATE_LIMIT_BURST_IP": "1000000",
        **(env or {}),
    }
    log_path = tmp_dir / f"hub-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base_url, process, log_path, timeout)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_up(
    base_url: str, process: subprocess.Popen[bytes], log: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"hub exited early:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"hub did not start in {timeout}s:\n{log.read_text(errors='replace')}")


@contextlib.asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """A new database on the server PLANASMUN_TEST_POSTGRES_URL names, dropped afterwards.

    Usable inside other fixtures, and patient with a session it may not end.
    """
    server = os.environ.get("PLANASMUN_TEST_POSTGRES_URL")
    require(server is not None, "PostgreSQL (PLANASMUN_TEST_POSTGRES_URL)")
    assert server is not None
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base, _, _ = server.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        try:
            await _drop_database(admin, name)
        finally:
            await admin.dispose()


async def _drop_database(admin: AsyncEngine, name: str) -> None:
    # FORCE cannot end a session it may not signal, such as an autovacuum worker that has
    # just started analysing the freshly filled tables: wait for it to finish.
    for attempt in range(40):
        try:
            async with admin.connect() as connection:
                await connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except sa.exc.DBAPIError:
            if attempt == 39:
                raise
            await asyncio.sleep(0.25)


@contextlib.contextmanager
def exported_demo_systems(directory: Path) -> Iterator[DemoSystems]:
    """The demo's simulated systems on free ports, their `PLANASMUN_DEMO_*` variables set
    for the municipality files while they run, and restored after."""
    with demo_systems(directory, DemoPorts(0, 0, 0)) as running:
        saved = {k: os.environ.get(k) for k in running.environment()}
        running.export()
        try:
            yield running
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
