"""The connector boundary: a library's exceptions become the connector error tree here.

Every kind reads its source inside `at_boundary`, with what it knows of its library's
exceptions: a table (exception type → error class, the first match wins, so subclasses
come before their bases) or a function that builds the error, or says None for an
exception it does not know (which then goes on as it is). A `ConnectorError` raised
inside goes through untouched, but for `tidy`, which rewrites the internal message of
every error that leaves the block (a kind hides its secrets there, or shortens it)::

    with at_boundary(f"{shown}: {what}", classify_sql, tidy=redactor.redact):
        ...

The error is raised `from` the library's exception, so operators' logs keep the cause.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping

from connectors.errors import ConnectorError

#: Exception type → the error it becomes, with `source: Type: text` as its message.
ErrorTable = Mapping[type[BaseException], type[ConnectorError]]
#: (source, exception) → the error it becomes, or None to let the exception go on.
Classify = Callable[[str, BaseException], ConnectorError | None]


def by_table(table: ErrorTable) -> Classify:
    """A classifier from a table; the first entry the exception is an instance of wins."""

    def classify(source: str, exc: BaseException) -> ConnectorError | None:
        for backend_type, error_type in table.items():
            if isinstance(exc, backend_type):
                return error_type(f"{source}: {type(exc).__name__}: {exc}")
        return None

    return classify


def retold(error: ConnectorError, tidy: Callable[[str], str]) -> ConnectorError:
    """`error` with its internal message passed through `tidy` (in place)."""
    message = tidy(error.internal_message)
    if message != error.internal_message:
        error.internal_message = message
        error.args = (message,)
    return error


@contextlib.contextmanager
def at_boundary(
    source: str,
    classify: Classify | ErrorTable,
    *,
    tidy: Callable[[str], str] | None = None,
) -> Iterator[None]:
    """Translate the exceptions raised in the block into the connector error tree.

    `source` names what was being read in the message (`by_table`'s, or the one passed
    to `classify`).
    """
    translate = by_table(classify) if isinstance(classify, Mapping) else classify
    try:
        yield
    except ConnectorError as exc:
        if tidy is not None:
            retold(exc, tidy)
        raise
    except BaseException as exc:
        error = translate(source, exc)
        if error is None:
            raise
        if tidy is not None:
            retold(error, tidy)
        raise error from exc
