"""The two presentations of every page: the complete one and the simplified one.

The simplified view serves screen-reader and low-vision users: one column, text first,
larger type and spacing, no decoration. The choice is explicit (a visible switch) and
remembered; it is never guessed from the user agent.
"""

from __future__ import annotations

import enum

#: Query parameter of the visible switch, e.g. `?vista=simple`.
VIEW_PARAMETER = "vista"
#: Cookie that remembers the choice between pages.
VIEW_COOKIE = "vista"


class View(enum.StrEnum):
    COMPLETE = "completa"
    SIMPLE = "simple"

    @property
    def other(self) -> View:
        return View.SIMPLE if self is View.COMPLETE else View.COMPLETE


def parse_view(value: str | None) -> View | None:
    """A view from a user-supplied value; None for anything unknown."""
    if value is None:
        return None
    try:
        return View(value.strip().lower())
    except ValueError:
        return None


def choose_view(requested: str | None, remembered: str | None) -> View:
    """The switch wins over the cookie; the complete view is the default."""
    return parse_view(requested) or parse_view(remembered) or View.COMPLETE
