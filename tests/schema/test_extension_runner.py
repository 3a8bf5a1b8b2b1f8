"""The hub's extension runner keeps Strawberry's lifecycle contract."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import strawberry
from strawberry.extensions import SchemaExtension

from schema.extension_runner import LeanExtensionsRunner

calls: list[str] = []


class Sync(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        calls.append("sync operation in")
        yield
        calls.append("sync operation out")

    def on_execute(self) -> Iterator[None]:
        calls.append("sync execute in")
        yield
        calls.append("sync execute out")


class Async(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        calls.append("async operation in")
        yield
        calls.append("async operation out")

    async def on_parse(self) -> None:  # a plain coroutine: runs on the way in only
        calls.append("async parse")

    def get_results(self) -> dict[str, str]:
        return {"async": "ok"}


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        calls.append("resolve")
        return "hola"


class LeanSchema(strawberry.Schema):
    def create_extensions_runner(self, execution_context, extensions):  # type: ignore[no-untyped-def]
        return LeanExtensionsRunner(execution_context=execution_context, extensions=extensions)


async def test_hooks_run_in_order_and_unwind_in_reverse() -> None:
    calls.clear()
    schema = LeanSchema(query=Query, extensions=[Sync, Async])
    result = await schema.execute("{ hello }")
    assert result.data == {"hello": "hola"}
    assert result.extensions == {"async": "ok"}
    assert calls == [
        "sync operation in",
        "async operation in",
        "async parse",
        "sync execute in",
        "resolve",
        "sync execute out",
        "async operation out",
        "sync operation out",
    ]


async def test_an_exception_is_thrown_into_open_hooks_which_may_suppress_it() -> None:
    seen: list[str] = []

    class Suppresses(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            try:
                yield
            except ValueError:
                seen.append("suppressed")

    class Sees(SchemaExtension):
        async def on_execute(self) -> AsyncIterator[None]:
            try:
                yield
            except ValueError:
                seen.append("seen")
                raise

    runner = LeanExtensionsRunner(execution_context=None, extensions=[Suppresses(), Sees()])  # type: ignore[arg-type]
    async with runner.executing():
        raise ValueError("boom")
    assert seen == ["seen", "suppressed"]

    runner = LeanExtensionsRunner(execution_context=None, extensions=[Sees()])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="boom"):
        async with runner.executing():
            raise ValueError("boom")


async def test_a_hook_that_does_not_yield_is_an_error() -> None:
    class NoYield(SchemaExtension):
        def on_validate(self) -> Iterator[None]:
            return
            yield

    runner = LeanExtensionsRunner(execution_context=None, extensions=[NoYield()])  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="didn't yield"):
        async with runner.validation():
            pass


def test_sync_execution_uses_the_same_hooks() -> None:
    calls.clear()
    schema = LeanSchema(query=Query, extensions=[Sync])
    assert schema.execute_sync("{ hello }").data == {"hello": "hola"}
    assert calls[0] == "sync operation in" and calls[-1] == "sync operation out"
