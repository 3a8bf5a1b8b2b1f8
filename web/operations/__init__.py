"""The GraphQL operations of the web pages, one `.graphql` file each, named as the operation.

A page module loads what it runs by name (`HOME = operation("WebStaffHome")`), once, when
it is imported; the text is the file's, byte for byte, since the hub's parse, validation
and cost caches key on it. `tests/web/test_operations.py` validates every file against
the schema and checks that each file is used and each name has its file.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

#: An operation's name is its file's name: `WebStaffQueue` → `WebStaffQueue.graphql`.
_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
SUFFIX = ".graphql"


@functools.cache
def operation(name: str) -> str:
    """The text of the operation `name` (the file `web/operations/<name>.graphql`)."""
    if not _NAME.match(name):
        raise ValueError(f"not an operation name: {name!r}")
    return resources.files(__package__).joinpath(name + SUFFIX).read_text(encoding="utf-8")


def names() -> list[str]:
    """Every operation there is a file for, sorted."""
    return sorted(
        entry.name.removesuffix(SUFFIX)
        for entry in resources.files(__package__).iterdir()
        if entry.name.endswith(SUFFIX)
    )
