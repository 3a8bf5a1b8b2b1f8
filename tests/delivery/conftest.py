"""Fixtures: the demo's simulated municipal systems on free ports (SIGEM over SOAP,
SIMUVEGA's SQL database), a real SMTP server on loopback, and a hub store with a delivery
worker over the demo federation (SOAP, SQL and native municipalities)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from demo.mail_sink import MailSink
from demo.systems import DemoSystems
from tests.delivery.support import World, clear_upstreams, open_world
from tests.support import exported_demo_systems


@pytest.fixture(scope="package")
def systems(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSystems]:
    with exported_demo_systems(tmp_path_factory.mktemp("demo-systems")) as running:
        yield running


@pytest.fixture
def mail() -> Iterator[MailSink]:
    with MailSink() as sink:
        yield sink


@pytest.fixture
async def world(systems: DemoSystems, mail: MailSink, tmp_path: Path) -> AsyncIterator[World]:
    # Every test's hub store numbers its requests from 1: the upstreams' registers, shared
    # by the package's tests, start empty for each (as a municipality's system would be).
    systems.sigem.resume()
    await clear_upstreams(systems)
    async with open_world(tmp_path, mail, systems) as opened:
        yield opened
