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
                GraphQLError(
                    f"La consulta tiene {depth} niveles de profundidad; el máximo es "
                    f"{self.max_depth}. (Query depth {depth} exceeds the maximum operation "
                    f"depth of {self.max_depth}.)",
                    extensions={"code": "QUERY_TOO_DEEP", "maximum": self.max_depth},
                )
            )
        if aliases > self.max_aliases:
            errors.append(
                GraphQLError(
                    f"La consulta usa {aliases} alias; el máximo es {self.max_aliases}. "
                    f"({aliases} aliases exceed the maximum of {self.max_aliases}.)",
                    extensions={"code": "TOO_MANY_ALIASES", "maximum": self.max_aliases},
                )
            )
        if errors:
            context.pre_execution_errors = errors
