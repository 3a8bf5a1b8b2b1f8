"""Small numbers kept out of the public figures, so that no person can be singled out.

The published table has a row per service and one for the whole municipality, and four
counts in each: received = open + resolved + rejected (the three are what became of the
requests received), and the municipality's row is the sum of the services' rows. Behind
the percentage resolved on time are three more counts per row, with the same sums:
resolved with an expected date = on time + late.

Primary suppression: every published count under `THRESHOLD` (0 included, so "fewer than
5" never tells whether there was anyone) is hidden; of the counts behind the percentage,
which are never published themselves, those from 1 to 4 are (none late, or none on time,
describes every request of the row alike and singles nobody out: 100 % may be shown).

Complementary suppression: a hidden count must not be recoverable by subtracting
published ones, so for every sum (a row's received, a column's municipality total) in
which exactly one term is hidden, or in which the hidden terms add up to between 1 and 4
(which a reader would learn by subtraction), the smallest published term is hidden too
(the total itself when every part is hidden already), until no sum gives one away. Hidden
counts only grow, so this ends. Periods are counted separately (today, the month, the
year); a reader comparing the figures of one period over time still sees them move by
one when a request arrives, which tells that a request was made, never by whom.

A median or a percentage is published only when the counts it is derived from are: the
median days to resolve when the row's resolved count is, the percentage on time when the
resolved-with-date, on-time and late counts all are.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

__all__ = ["THRESHOLD", "Cell", "Relation", "suppressed_cells"]

#: Counts under this are never published.
THRESHOLD = 5

#: (row, column): a row is a service id, or "" for the municipality.
Cell = tuple[str, str]
#: A published sum: the total and its parts.
Relation = tuple[Cell, Sequence[Cell]]


def suppressed_cells(
    values: Mapping[Cell, int],
    relations: Iterable[Relation],
    *,
    zero_shown: Collection[str] = (),
) -> set[Cell]:
    """The cells to hide: the small ones, and enough others that none can be derived.
    In the columns of `zero_shown` a 0 is not small."""
    sums = list(relations)
    hidden = {
        cell
        for cell, value in values.items()
        if value < THRESHOLD and not (value == 0 and cell[1] in zero_shown)
    }
    changed = True
    while changed:
        changed = False
        for total, parts in sums:
            extra = _one_more(values, hidden, total, parts)
            if extra is not None:
                hidden.add(extra)
                changed = True
    return hidden


def _one_more(
    values: Mapping[Cell, int], hidden: set[Cell], total: Cell, parts: Sequence[Cell]
) -> Cell | None:
    """The cell to hide so that this sum gives nothing away, or None if it does not."""
    concealed = [part for part in parts if part in hidden]
    shown = sorted((part for part in parts if part not in hidden), key=lambda p: values[p])
    if total in hidden:
        # The total is recoverable when every part is published.
        return shown[0] if not concealed and shown else None
    if not concealed:
        return None
    secret = sum(values[part] for part in concealed)
    if len(concealed) > 1 and not 0 < secret < THRESHOLD:
        return None
    return shown[0] if shown else total
