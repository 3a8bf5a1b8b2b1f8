"""Counts under 5 are hidden, and so are enough others that no hidden count can be found by
subtracting published ones (`schema.figures.suppression`), through the published types."""

from __future__ import annotations

import datetime as dt
import itertools

from schema.figures.periods import FiguresPeriod
from schema.figures.suppression import suppressed_cells
from schema.figures.types import TransactionFigureRow, TransactionFigures, published_figures
from schema.language import Language
from store.request_figures import FigureCounts, RequestFigures

NOW = dt.datetime(2026, 12, 8, 12, 0, tzinfo=dt.UTC)
COLUMNS = ("received", "open", "resolved", "rejected")


def counts(received: int, open_: int, resolved: int, rejected: int) -> FigureCounts:
    return FigureCounts(
        received=received,
        open=open_,
        resolved=resolved,
        rejected=rejected,
        resolved_with_due_date=resolved,
        resolved_on_time=resolved,
        median_days=2.0 if resolved else None,
    )


def publish(services: dict[str, FigureCounts]) -> TransactionFigures:
    total = FigureCounts(
        **{
            field: sum(getattr(c, field) for c in services.values())
            for field in (*COLUMNS, "resolved_with_due_date", "resolved_on_time")
        }
    )
    figures = RequestFigures(
        services={key: (key.title(), value) for key, value in services.items()}, total=total
    )
    return published_figures("santo-domingo-este", FiguresPeriod.MONTH, NOW, NOW, figures)


def value(row: TransactionFigureRow, column: str) -> int | None:
    found: int | None = getattr(row, column).value
    return found


def derivable(published: TransactionFigures) -> list[str]:
    """Every hidden count a reader could work out from published ones by the table's
    sums: a row's received = open + resolved + rejected, a column's total = its services."""
    rows = [published.total, *published.services]
    found: list[str] = []
    sums: list[tuple[str, int | None, list[int | None]]] = []
    for row in rows:
        sums.append(
            (
                f"{row.service_id}.received",
                value(row, "received"),
                [value(row, c) for c in COLUMNS[1:]],
            )
        )
    for column in COLUMNS:
        sums.append(
            (
                f"total.{column}",
                value(published.total, column),
                [value(row, column) for row in published.services],
            )
        )
    for name, total, parts in sums:
        unknown = [p for p in parts if p is None]
        if total is None:
            if not unknown:
                found.append(name)
        elif len(unknown) == 1:
            found.append(f"a part of {name}")
    return found


def test_a_service_with_three_requests_says_fewer_than_five_and_cannot_be_subtracted() -> None:
    published = publish(
        {
            "basura": counts(40, 10, 25, 5),
            "poda": counts(12, 6, 6, 0),
            "actas": counts(3, 1, 2, 0),
        }
    )
    actas = next(row for row in published.services if row.service_id == "actas")
    for column in COLUMNS:
        count = getattr(actas, column)
        assert count.value is None and count.suppressed is True
        assert count.text(Language.ES) == "menos de 5"
        assert count.text(Language.EN) == "fewer than 5"
    assert actas.median_days_to_resolve.value is None
    assert actas.percent_resolved_on_time.text(Language.ES) == "menos de 5"
    # The total is published, so another service is hidden with it: "total − the others"
    # gives only poda + actas together.
    assert published.total.received.value == 55
    poda = next(row for row in published.services if row.service_id == "poda")
    assert poda.received.suppressed is True
    assert derivable(published) == []
    basura = next(row for row in published.services if row.service_id == "basura")
    assert basura.received.text(Language.EN) == "40"
    assert basura.median_days_to_resolve.text(Language.ES) == "2.0"
    assert basura.percent_resolved_on_time.text(Language.ES) == "100.0 %"


def test_one_small_part_of_a_row_takes_another_with_it() -> None:
    published = publish({"basura": counts(40, 33, 5, 2), "poda": counts(30, 20, 10, 0)})
    basura = published.services[0]
    assert basura.rejected.suppressed and basura.resolved.suppressed
    assert basura.open.value == 33 and basura.received.value == 40
    assert derivable(published) == []


def test_a_lone_service_hides_its_municipality_total_too() -> None:
    published = publish({"actas": counts(3, 3, 0, 0)})
    assert published.total.received.suppressed and published.total.open.suppressed
    assert derivable(published) == []


def test_no_table_of_small_and_large_counts_gives_a_hidden_count_away() -> None:
    sizes = (0, 1, 3, 4, 5, 6, 9, 20)
    for a, b, c in itertools.product(sizes, repeat=3):
        services = {"uno": counts(a + b + c, a, b, c), "dos": counts(b + 7, b, 7, 0)}
        assert derivable(publish(services)) == [], (a, b, c)


def test_hidden_parts_that_add_up_to_under_five_are_not_left_alone() -> None:
    values = {("", "t"): 12, ("a", "t"): 1, ("b", "t"): 2, ("c", "t"): 9}
    relation = (("", "t"), [("a", "t"), ("b", "t"), ("c", "t")])
    hidden = suppressed_cells(values, [relation])
    # a + b = 3 would be "12 − 9": c goes too.
    assert hidden == {("a", "t"), ("b", "t"), ("c", "t")}
