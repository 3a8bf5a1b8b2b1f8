"""Depth and alias limits, measured once per query text.

Strawberry's own limiters add a validation rule created per request, which defeats the
validation cache (every request would be validated again); measuring here, keyed by the
query's text, keeps both the limits and the cache.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension

from words import Message


def _depth(
    selections: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str],
) -> int:
    if selections is None:
        return 0
    deepest = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue  # introspection is bounded by the schema itself
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                fragment = fragments[name]
                deepest = max(deepest, _depth(fragment.selection_set, fragments, seen | {name}))
    return deepest


def _aliases(selections: SelectionSetNode | None) -> int:
    if selections is None:
        return 0
    count = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode) and selection.alias is not None:
            count += 1
        if isinstance(selection, FieldNode | InlineFragmentNode):
            count += _aliases(selection.selection_set)
    return count


@functools.lru_cache(maxsize=2048)
def measure(query: str, document: DocumentNode) -> tuple[int, int]:
    """(deepest operation, aliases in the whole document). `query` is the cache key."""
    del query
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    depth = max(
        (
            _depth(d.selection_set, fragments, frozenset())
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
        ),
        default=0,
    )
    aliases = sum(
        _aliases(d.selection_set)
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    )
    return depth, aliases


def _refusal(message: Message, extensions: dict[str, object]) -> GraphQLError:
    """One message for both languages: Spanish, then English in parentheses."""
    return GraphQLError(f"{message.es} ({message.en})", extensions=extensions)


class QueryLimits(SchemaExtension):
    def __init__(self, *, max_depth: int, max_aliases: int) -> None:
        super().__init__()
        self.max_depth = max_depth
        self.max_aliases = max_aliases

    def on_validate(self) -> Iterator[None]:
        # Must come after ValidationCache in the extension list: it sets the validation
        # errors on entry, and Strawberry reads them before any extension's exit.
        self._check()
        yield

    def _check(self) -> None:
        context = self.execution_context
        if context.graphql_document is None or context.query is None:
            return
        depth, aliases = measure(context.query, context.graphql_document)
        errors = list(context.pre_execution_errors or [])
        if depth > self.max_depth:
            errors.append(
                _refusal(
                    Message(
                        "gateway",
                        "Query depth %(depth)s exceeds the maximum operation depth of %(maximum)s.",
                        {"depth": depth, "maximum": self.max_depth},
                    ),
                    extensions={"code": "QUERY_TOO_DEEP", "maximum": self.max_depth},
                )
            )
        if aliases > self.max_aliases:
            errors.append(
                _refusal(
                    Message(
                        "gateway",
                        "%(aliases)s aliases exceed the maximum of %(maximum)s.",
                        {"aliases": aliases, "maximum": self.max_aliases},
                    ),
                    extensions={"code": "TOO_MANY_ALIASES", "maximum": self.max_aliases},
                )
            )
        if errors:
            context.pre_execution_errors = errors
