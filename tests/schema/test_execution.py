"""Each request's objects are freed when it ends, not left to the cyclic collector."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest
import strawberry
from strawberry.types import Info

from schema import build_schema
from schema.execution import HubExecutionContext


class Context:
    """Stands for the hub's per-request context (loaders, request, records)."""


@strawberry.type
class Query:
    @strawberry.field
    async def hello(self, info: Info) -> str:
        return "hola"

    @strawberry.field
    async def both(self, info: Info) -> list[int]:
        async def one(value: int) -> int:
            await asyncio.sleep(0)
            return value

        return await info._raw_info.async_helpers.gather([one(1), one(2)])  # graphql-core


@pytest.fixture
def no_collector() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def test_the_context_is_freed_when_the_execution_ends(no_collector: None) -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=HubExecutionContext)
    context = Context()
    gone = weakref.ref(context)
    result = await schema.execute("{ hello both }", context_value=context)
    assert result.errors is None and result.data == {"hello": "hola", "both": [1, 2]}
    del context, result
    assert gone() is None  # by reference counting: the collector is off


def test_the_hub_schema_uses_it() -> None:
    assert build_schema().execution_context_class is HubExecutionContext
