"""Errors for the failed part of a list whose other parts did come back.

A root list across municipalities cannot be both data and error in GraphQL's field model,
so resolvers record the failed municipalities here and this extension appends them to the
response's `errors` with the field's path.
"""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from schema.context import HubContext


class PartialErrors(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        if not isinstance(context, HubContext) or not context.partial_errors or result is None:
            return
        result.errors = [*(result.errors or []), *context.partial_errors]
