"""Problems with a form, as the error summary and the fields show them.

A schema error comes with a code and the field it is about; a form knows the words for
the codes it expects (a catalogue id, translated on the page) and shows any other error
with the schema's own Spanish message, marked as data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from web.labels import N_

#: (field, code) → the words for it (a catalogue id); `None` as field matches any field.
ProblemWords = Mapping[tuple[str | None, str], str]

#: A form sent with a missing or stale CSRF token (the session ended, another tab).
EXPIRED = N_("The form had expired. Please check your answers and send it again.")


@dataclasses.dataclass(frozen=True, slots=True)
class FormProblem:
    """A problem for the error summary and its field (`field` is the id of the input to
    focus, or None). `message` is a catalogue id, or with `data` the schema's own Spanish."""

    field: str | None
    message: str
    data: bool = False


def form_problem(
    words: ProblemWords,
    code: str,
    schema_message: str,
    *,
    field: str | None,
    target: str | None,
) -> FormProblem:
    """The problem for a schema error about `field`, focusing `target`."""
    message = words.get((field, code)) or words.get((None, code))
    if message is None:
        return FormProblem(target, schema_message, data=True)
    return FormProblem(target, message)


def expired_form() -> FormProblem:
    return FormProblem(None, EXPIRED)
