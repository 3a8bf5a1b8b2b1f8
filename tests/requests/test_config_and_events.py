"""The request forms' file is checked at start-up with clear messages; the event buses
(in-process, and Redis pub/sub) deliver a change to each subscriber of its number."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import pytest

from connectors.tenants import InvalidConfiguration
from gateway.events import LocalEvents, RedisEvents
from gateway.hub import Hub
from gateway.settings import CONFIG_DIR, Settings
from schema.requests.forms import FieldType, load_request_forms
from tests.fixtures import MUNICIPALITIES_DIR
from tests.support import require

BAD = """
categories:
  saneamiento:
    - code: Tipo
      label: {es: Tipo}
      datatype: lista
    - code: dias
      label: {es: Días, en: Days}
      datatype: singlevaluelist
    - code: dias
      label: {es: Días, en: Days}
      datatype: number
      choices: [{key: a, name: {es: A, en: A}}]
  volcanes: []
services:
  "no es un id": []
"""


def test_the_shipped_forms_are_valid() -> None:
    forms = load_request_forms(CONFIG_DIR / "request-forms.yaml")
    fields = forms.fields_for("santiago", "puesto-mercado", "mercados")
    assert [f.code for f in fields] == ["tipo_puesto"]
    assert fields[0].datatype is FieldType.SINGLEVALUELIST


def test_a_bad_forms_file_names_the_file_the_key_and_what_was_expected(tmp_path: Path) -> None:
    path = tmp_path / "request-forms.yaml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(InvalidConfiguration) as bad:
        load_request_forms(path, display="request-forms.yaml")
    text = str(bad.value)
    for expected in [
        "request-forms.yaml: categories.saneamiento[0].code: expected a text matching ",
        "request-forms.yaml: categories.saneamiento[0].label.en: expected a value",
        "request-forms.yaml: categories.saneamiento[0].datatype: "
        "expected one of 'string', 'number'",
        "request-forms.yaml: categories.volcanes",
    ]:
        assert expected in text, text
    # Past the shape: duplicate codes, choices where none belong and missing where needed.
    path.write_text(
        BAD.split("  volcanes")[0]
        .replace("Tipo", "tipo")
        .replace("lista", "text")
        .replace("label: {es: tipo}", "label: {es: Tipo, en: Kind}"),
        encoding="utf-8",
    )
    with pytest.raises(InvalidConfiguration) as worse:
        load_request_forms(path, display="request-forms.yaml")
    problems = {(p.key, p.message.split(",")[0]) for p in worse.value.problems}
    assert problems == {
        ("categories.saneamiento[1].choices", "expected at least one choice for a singlevaluelist"),
        ("categories.saneamiento[2].code", "expected a code unique in its form"),
        ("categories.saneamiento[2].choices", "expected no choices for a number field"),
    }


def test_the_hub_refuses_to_start_with_a_bad_forms_file(tmp_path: Path) -> None:
    path = tmp_path / "forms.yaml"
    path.write_text("categories: [1, 2]\n", encoding="utf-8")
    with pytest.raises(InvalidConfiguration, match=r"forms\.yaml: categories"):
        Hub(Settings(request_forms_file=path, demo=False, municipalities_dir=MUNICIPALITIES_DIR))


async def _exchange(bus: LocalEvents | RedisEvents) -> None:
    number = f"SDE-2026-{uuid.uuid4().int % 10**6:06d}"
    other = f"SIA-2026-{uuid.uuid4().int % 10**6:06d}"
    listening = bus.subscribe(number)
    bystander = bus.subscribe(other)
    # Each yields once as soon as it listens.
    assert await asyncio.wait_for(anext(listening), 5) == number
    assert await asyncio.wait_for(anext(bystander), 5) == other
    await bus.publish(number)
    assert await asyncio.wait_for(anext(listening), 5) == number
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(anext(bystander), 0.3)
    await listening.aclose()  # type: ignore[attr-defined]
    await bystander.aclose()  # type: ignore[attr-defined]


async def test_the_in_process_bus() -> None:
    bus = LocalEvents()
    await _exchange(bus)
    assert bus.subscriber_count("SDE-2026-000001") == 0


async def test_the_redis_bus() -> None:
    url = os.environ.get("PLANASMUN_TEST_REDIS_URL")
    require(url is not None, "Redis (PLANASMUN_TEST_REDIS_URL)")
    assert url is not None
    publisher, subscriber = RedisEvents(url), RedisEvents(url)  # as two workers
    try:
        number = f"SDE-2026-{uuid.uuid4().int % 10**6:06d}"
        listening = subscriber.subscribe(number)
        assert await asyncio.wait_for(anext(listening), 5) == number
        await publisher.publish(number)
        assert await asyncio.wait_for(anext(listening), 5) == number
        await listening.aclose()  # type: ignore[attr-defined]
        await _exchange(subscriber)
    finally:
        await publisher.aclose()
        await subscriber.aclose()


async def test_a_publish_to_an_unreachable_redis_is_dropped_not_raised() -> None:
    bus = RedisEvents("redis://127.0.0.1:1/0", timeout=0.2)
    try:
        await bus.publish("SDE-2026-000001")
    finally:
        await bus.aclose()
