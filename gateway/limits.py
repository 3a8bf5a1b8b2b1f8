"""Schema extensions that bound queries and mask errors, with caches for parsing/validation."""

from __future__ import annotations

from collections.abc import Callable

from graphql import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)

from gateway.query_cost import QueryCost
from gateway.query_limits import QueryLimits
from gateway.settings import Settings
from schema import PublicError
from schema.municipalities.types import SERVICES_PER_MUNICIPALITY
from words import Message

#: What a caller reads for an error the hub does not show (in Spanish, as the schema words
#: its errors by default).
MASKED = Message(
    "gateway", "Something went wrong on our side. It has been logged; please try again later."
)
MASKED_MESSAGE = MASKED.es


class HubMaskErrors(MaskErrors):
    """Strawberry's MaskErrors, without its per-request `isinstance` on a runtime Protocol
    (which walks the protocol's attributes each time): any result with errors is masked."""

    def _process_result(self, result: object) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]


def should_mask(error: GraphQLError) -> bool:
    """Show parse/validation/limit errors and PublicErrors; hide everything else."""
    original = error.original_error
    if original is None:
        return False
    return not isinstance(original, PublicError)


#: `municipalities` is costed at this many governments when the real number is not given.
MUNICIPALITIES_ESTIMATE = 10


def hub_list_sizes(municipality_count: int | None) -> dict[str, int]:
    """The list sizes the hub knows and the schema cannot (its `@listSize` has the rest):
    its governments, and every service of all of them (`services` without `first`)."""
    governments = municipality_count or MUNICIPALITIES_ESTIMATE
    return {
        "Query.municipalities": governments,
        "Query.services": governments * SERVICES_PER_MUNICIPALITY,
    }


def schema_extensions(
    settings: Settings, *, municipality_count: int | None = None
) -> list[Callable[[], SchemaExtension]]:
    list_sizes = hub_list_sizes(municipality_count)
    return [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: QueryLimits(max_depth=settings.max_query_depth, max_aliases=settings.max_aliases),
        # After QueryLimits: it costs only documents that passed validation and the limits.
        lambda: QueryCost(maximum=settings.max_query_cost, list_sizes=list_sizes),
        lambda: HubMaskErrors(should_mask_error=should_mask, error_message=MASKED_MESSAGE),
    ]
