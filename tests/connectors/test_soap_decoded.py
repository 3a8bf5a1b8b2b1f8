"""Replies already decoded: every read calls the source, the same bytes are mapped once.

Against the real SIGEM simulator (spyne on 127.0.0.1); a change to its catalogue is what
an officer editing the vendor's system would cause.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from connectors import MappingError
from connectors.hooks import record_hook
from connectors.mapping import RecordMapper
from connectors.soap import SoapConnector
from connectors.soap.decoded import DecodedReplies
from demo import catalogue
from demo.soap_vendors import VendorServer, start_sigem
from tests.connectors.test_soap import (
    SIGEM_SERVICES,
    calls_during,
    keys_of,
    sigem_services,
    soap_binding,
    soap_connector,
)

SDE = "santo-domingo-este"


@pytest.fixture(scope="module")
def sigem() -> Iterator[VendorServer]:
    with start_sigem() as server:
        yield server


@pytest.fixture
async def connector(sigem: VendorServer) -> Any:
    made = soap_connector(wsdl=sigem.wsdl_url)
    yield made
    await made.close()


@pytest.fixture
def mapped_rows(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many rows each binding's mapper mapped (the mapping itself is unchanged)."""
    counts: Counter[str] = Counter()
    original = RecordMapper.map

    def counting(self: RecordMapper, raw: Mapping[str, Any]) -> dict[str, Any]:
        counts[self.binding.municipality_id] += 1
        return original(self, raw)

    monkeypatch.setattr(RecordMapper, "map", counting)
    return counts


@pytest.fixture
def renamed_service() -> Iterator[dict[str, Any]]:
    """The first SDE service, which a test may rename in SIGEM; restored afterwards."""
    record = catalogue.services(SDE)[0]
    name = record["name"]
    yield record
    record["name"] = name


async def test_every_read_calls_the_source_and_the_same_reply_is_mapped_once(
    sigem: VendorServer, connector: SoapConnector, mapped_rows: Counter[str]
) -> None:
    count = len(catalogue.services(SDE))
    binding = sigem_services()  # as the hub holds it, loaded once from the YAML
    with calls_during(sigem) as delta:
        first = await connector.list_for(binding, [SDE])
        second = await connector.list_for(binding, [SDE])
        third = await connector.list_for(binding, [SDE])
    assert delta["ListarServicios"] == 3
    assert first == second == third and len(first[0]) == count
    assert mapped_rows[SDE] == count


async def test_a_changed_reply_is_decoded_again(
    connector: SoapConnector, mapped_rows: Counter[str], renamed_service: dict[str, Any]
) -> None:
    binding = sigem_services()
    before = await connector.list_for(binding, [SDE])
    renamed_service["name"] = "Licencia renombrada por la oficina"
    after = await connector.list_for(binding, [SDE])
    renamed = {r["id"]: r["name"] for r in after[0]}
    assert renamed[renamed_service["id"]] == "Licencia renombrada por la oficina"
    assert {r["id"]: r["name"] for r in before[0]}[renamed_service["id"]] != renamed[
        renamed_service["id"]
    ]
    assert mapped_rows[SDE] == 2 * len(after[0])


async def test_batches_of_different_ids_are_different_replies(
    connector: SoapConnector, mapped_rows: Counter[str]
) -> None:
    keys = keys_of(SDE, 4)
    binding = sigem_services()
    first = await connector.fetch_many(binding, keys[:2])
    second = await connector.fetch_many(binding, keys[2:])
    again = await connector.fetch_many(binding, keys[:2])
    assert [r["id"] if r else None for r in first] == [k[1] for k in keys[:2]]
    assert [r["id"] if r else None for r in second] == [k[1] for k in keys[2:]]
    assert again == first
    assert mapped_rows[SDE] == 4


async def test_bindings_with_different_mappings_do_not_share_records(
    connector: SoapConnector,
) -> None:
    fields = dict(soap_binding(SIGEM_SERVICES).fields)
    fields["name"] = "DESCRIPCION"
    plain = await connector.list_for(sigem_services(), [SDE])
    other = await connector.list_for(sigem_services(fields=fields), [SDE])
    assert [r["name"] for r in plain[0]] == [s["name"] for s in catalogue.services(SDE)]
    assert [r["name"] for r in other[0]] == [s["description"] for s in catalogue.services(SDE)]


async def test_a_reply_that_cannot_be_mapped_fails_every_time(connector: SoapConnector) -> None:
    fields = dict(soap_binding(SIGEM_SERVICES).fields)
    fields["fee_amount"] = "NOMBRE"
    for _ in range(2):
        with pytest.raises(MappingError) as caught:
            await connector.list_for(sigem_services(fields=fields), [SDE])
        assert caught.value.field == "fee_amount"


hooked_rows: Counter[str] = Counter()


@record_hook("test_decoded_counting_hook")
def _counting_hook(raw: Mapping[str, Any], record: Mapping[str, Any]) -> Mapping[str, Any]:
    hooked_rows[str(record["id"])] += 1
    return record


async def test_a_binding_with_a_hook_is_mapped_every_time(connector: SoapConnector) -> None:
    hooked_rows.clear()
    binding = sigem_services(hook="test_decoded_counting_hook")
    await connector.list_for(binding, [SDE])
    await connector.list_for(binding, [SDE])
    assert set(hooked_rows.values()) == {2}


# --------------------------------------------------------------------------- bounds


def test_entries_are_bounded_by_count_oldest_first() -> None:
    decoded = DecodedReplies(max_entries=2)
    keys = [decoded.key("op", f"reply {n}".encode()) for n in range(3)]
    for n, key in enumerate(keys):
        decoded.put(key, [{"id": str(n)}])
    assert decoded.get(keys[0]) is None
    assert decoded.get(keys[1]) == ({"id": "1"},) and decoded.get(keys[2]) == ({"id": "2"},)


def test_entries_are_bounded_by_the_bytes_they_hold() -> None:
    decoded = DecodedReplies(max_total_bytes=250, max_reply_bytes=200)
    first = decoded.key("op", b"a" * 100)
    second = decoded.key("op", b"b" * 100)
    decoded.put(first, [])
    decoded.put(second, [])
    assert decoded.get(first) is not None  # first is now the most recently used
    decoded.put(decoded.key("op", b"c" * 100), [])
    assert decoded.get(second) is None and decoded.get(first) is not None
    assert len(decoded) == 2


def test_a_reply_too_large_is_not_kept() -> None:
    decoded = DecodedReplies(max_reply_bytes=10)
    assert decoded.key("op", b"x" * 11) is None
    decoded.put(None, [{"id": "1"}])
    assert len(decoded) == 0 and decoded.get(None) is None


def test_the_same_bytes_for_another_decoding_are_another_entry() -> None:
    decoded = DecodedReplies()
    decoded.put(decoded.key("services", b"<x/>"), [{"id": "s"}])
    assert decoded.get(decoded.key("departments", b"<x/>")) is None
