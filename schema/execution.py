"""graphql-core's execution context without the reference cycle that outlives each request.

graphql-core's executor keeps `async_helpers`, a `GraphQLResolveInfoHelpers` holding two
of its own bound methods (`gather_async_work`, `track_async_work`): the executor refers to
itself. Through the executor's `context_value` that cycle holds the whole request — the
hub's context and loaders, the Starlette request and response, uvicorn's request cycle,
the records read — until the cyclic garbage collector finds it, instead of freeing it by
reference counting when the request ends. Under load every request left ~80 container
objects for the collector, whose young-generation passes then took ~12 % of a worker's
CPU.

`HubExecutionContext` gives the helpers functions that reach the executor through a weak
reference. The executor is alive for as long as graphql-core runs it (its methods are on
the stack whenever a helper is called; sub-executors are shallow copies that share the
helpers and the state they act on), so each helper does exactly what the bound method did.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Sequence
from typing import Any

from graphql import GraphQLResolveInfoHelpers
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class HubExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        executor = weakref.ref(self)

        def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
            return _alive(executor).gather_async_work(values)

        def track(values: Sequence[Any]) -> None:
            _alive(executor).track_async_work(values)

        self.async_helpers = GraphQLResolveInfoHelpers(gather=gather, track=track)


def _alive(executor: weakref.ref[HubExecutionContext]) -> HubExecutionContext:
    found = executor()
    if found is None:  # not while graphql-core runs it: a helper kept past its request
        raise RuntimeError("the GraphQL execution this helper belongs to has ended")
    return found
