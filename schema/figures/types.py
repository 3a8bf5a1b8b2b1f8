"""GraphQL types of the public service-transaction figures: counts and measures that
say "fewer than 5" instead of a small number (`schema.figures.suppression`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

import strawberry
from babel.numbers import format_decimal

from schema.figures.periods import FiguresPeriod
from schema.figures.suppression import THRESHOLD, Cell, Relation, suppressed_cells
from schema.language import Language, worded
from schema.paging import list_size
from store.request_figures import TOTAL, FigureCounts, RequestFigures
from words import Message

__all__ = ["FigureCount", "FigureMeasure", "TransactionFigureRow", "TransactionFigures"]

#: Rows (services with requests) a municipality's figures are assumed to have.
FIGURE_ROWS = 100

FEWER = Message("schema", "fewer than %(threshold)s", {"threshold": THRESHOLD})

_LOCALES = {Language.ES: "es_DO", Language.EN: "en"}
_PUBLISHED = ("received", "open", "resolved", "rejected")
_BEHIND_PERCENT = ("due", "on_time", "late")


class MeasureUnit(enum.Enum):
    DAYS = "days"
    PERCENT = "percent"


@strawberry.type(
    description="A number of requests, or nothing when it is under 5: then `value` is "
    "null, `suppressed` true and `text` says “menos de 5”, so that nobody can be singled "
    "out. Other counts are hidden with it when it could be found by subtracting them."
)
class FigureCount:
    value: int | None
    suppressed: bool

    @strawberry.field(description="The number in figures, or “menos de 5” / “fewer than 5”.")
    def text(self, language: Language = Language.ES) -> str:
        if self.value is None:
            return worded(FEWER, language)
        return format_decimal(self.value, locale=_LOCALES[language])


@strawberry.type(
    description="A figure derived from requests (a median, a percentage); null and "
    "`suppressed` when the counts it comes from are under 5 or hidden."
)
class FigureMeasure:
    unit: strawberry.Private[MeasureUnit]
    value: float | None
    suppressed: bool

    @strawberry.field(description="One decimal, in the language's style (2.5; 80.0 %).")
    def text(self, language: Language = Language.ES) -> str:
        if self.value is None:
            return worded(FEWER, language)
        number = format_decimal(self.value, format="#,##0.0", locale=_LOCALES[language])
        if self.unit is MeasureUnit.PERCENT:
            return f"{number} %" if language is Language.ES else f"{number}%"
        return number


@strawberry.type(description="The figures of one service, or of the whole local government.")
class TransactionFigureRow:
    service_id: str | None = strawberry.field(
        description="The service's id in its municipality; null for the municipality's total."
    )
    service_name: str | None = strawberry.field(
        description="The service's name when its latest request was submitted."
    )
    received: FigureCount = strawberry.field(description="Requests received in the period.")
    open: FigureCount = strawberry.field(
        description="Of those, how many are still open (received, under review, in progress)."
    )
    resolved: FigureCount = strawberry.field(description="Of those, how many were resolved.")
    rejected: FigureCount = strawberry.field(description="Of those, how many were rejected.")
    median_days_to_resolve: FigureMeasure = strawberry.field(
        description="Median of the days from submission to resolution of the resolved ones."
    )
    percent_resolved_on_time: FigureMeasure = strawberry.field(
        description="Of the resolved ones that had an expected date (`expectedBy`, from the "
        "service's duration in working days), the share resolved by the end of that day in "
        "Dominican time."
    )


@strawberry.type(
    description="Public figures of a local government's service requests: aggregates "
    "only, never a request or a person. They count every request the hub holds for it: "
    "those submitted through the hub (web, API, Open311) and, where the government's own "
    "system takes them, their statuses as the hub reads them back from that system (each "
    "status read back is written to the hub's store, so a request resolved there counts "
    "as resolved here). Requests filed only at the counter of a government's own system "
    "are not counted."
)
class TransactionFigures:
    municipality_id: strawberry.ID
    period: FiguresPeriod
    since: dt.datetime = strawberry.field(
        description="Start of the period: local midnight in Santo Domingo."
    )
    as_of: dt.datetime = strawberry.field(description="When these figures were counted.")
    total: TransactionFigureRow = strawberry.field(
        description="The whole local government (its services added together)."
    )
    services: list[TransactionFigureRow] = strawberry.field(
        description="One row per service that has had requests through the hub, by name.",
        directives=[list_size(FIGURE_ROWS)],
    )


def _cells(row: str, counts: FigureCounts) -> dict[Cell, int]:
    late = counts.resolved_with_due_date - counts.resolved_on_time
    values = {
        "received": counts.received,
        "open": counts.open,
        "resolved": counts.resolved,
        "rejected": counts.rejected,
        "due": counts.resolved_with_due_date,
        "on_time": counts.resolved_on_time,
        "late": late,
    }
    return {(row, column): value for column, value in values.items()}


def _relations(rows: list[str]) -> list[Relation]:
    relations: list[Relation] = []
    for row in [TOTAL, *rows]:
        relations.append(((row, "received"), [(row, "open"), (row, "resolved"), (row, "rejected")]))
        relations.append(((row, "due"), [(row, "on_time"), (row, "late")]))
    if rows:
        for column in (*_PUBLISHED, *_BEHIND_PERCENT):
            relations.append(((TOTAL, column), [(row, column) for row in rows]))
    return relations


@dataclasses.dataclass(frozen=True, slots=True)
class _Published:
    values: dict[Cell, int]
    hidden: set[Cell]

    def count(self, row: str, column: str) -> FigureCount:
        cell = (row, column)
        hidden = cell in self.hidden
        return FigureCount(value=None if hidden else self.values[cell], suppressed=hidden)

    def row(self, row: str, counts: FigureCounts, name: str | None) -> TransactionFigureRow:
        median_hidden = (row, "resolved") in self.hidden or counts.median_days is None
        percent_hidden = any((row, c) in self.hidden for c in _BEHIND_PERCENT)
        percent = (
            None
            if percent_hidden
            else 100.0 * counts.resolved_on_time / counts.resolved_with_due_date
        )
        return TransactionFigureRow(
            service_id=row or None,
            service_name=name,
            received=self.count(row, "received"),
            open=self.count(row, "open"),
            resolved=self.count(row, "resolved"),
            rejected=self.count(row, "rejected"),
            median_days_to_resolve=FigureMeasure(
                unit=MeasureUnit.DAYS,
                value=None if median_hidden else counts.median_days,
                suppressed=median_hidden,
            ),
            percent_resolved_on_time=FigureMeasure(
                unit=MeasureUnit.PERCENT, value=percent, suppressed=percent is None
            ),
        )


def published_figures(
    municipality_id: str,
    period: FiguresPeriod,
    since: dt.datetime,
    as_of: dt.datetime,
    figures: RequestFigures,
) -> TransactionFigures:
    """The figures as the public may see them: small and derivable counts hidden."""
    values = _cells(TOTAL, figures.total)
    for service_id, (_, counts) in figures.services.items():
        values.update(_cells(service_id, counts))
    hidden = suppressed_cells(
        values, _relations(list(figures.services)), zero_shown=("on_time", "late")
    )
    published = _Published(values, hidden)
    return TransactionFigures(
        municipality_id=strawberry.ID(municipality_id),
        period=period,
        since=since,
        as_of=as_of,
        total=published.row(TOTAL, figures.total, None),
        services=[
            published.row(service_id, counts, name)
            for service_id, (name, counts) in figures.services.items()
        ],
    )
