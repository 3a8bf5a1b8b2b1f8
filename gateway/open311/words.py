"""What the Open311 endpoint says in its own words: entries of the `gateway` catalogue.

Open311 has no language parameter; a client says which language its citizens read with
`Accept-Language` (Spanish unless it prefers English), and the answer carries
`Content-Language`. Municipal data (service names, notes) stays in the words it was
written in; the schema's own texts (status labels, questions, its error messages) are asked
of the schema in the chosen language.
"""

from __future__ import annotations

import dataclasses

from accessibility import Language as PageLanguage
from accessibility.language import negotiate
from schema.language import Language
from words import Message

CONTACT = Message(
    "gateway",
    "Liga Municipal Dominicana, the national administration of PLANASMUN (demo data: the local "
    "governments' numbers and addresses are fictitious).",
)
KEY_SERVICE = Message(
    "gateway",
    "Filing requests (POST requests) needs an API key with the SUBMIT_OPEN311 scope, issued by "
    "the national administration of PLANASMUN (Liga Municipal Dominicana). Reading (GET) needs "
    "none.",
)
NO_JURISDICTION = Message(
    "gateway",
    "The jurisdiction_id parameter is missing: give the local government's identifier (for "
    "example, santo-domingo-este).",
)
UNKNOWN_JURISDICTION = Message(
    "gateway",
    "There is no local government with that jurisdiction_id in PLANASMUN. The GraphQL query "
    "`municipalities { id name }` lists them.",
)
NO_KEY = Message(
    "gateway",
    "The API key is missing: send it in the api_key field or the X-Api-Key header. Filing "
    "requests needs a key with the SUBMIT_OPEN311 scope.",
)
UNKNOWN_FORMAT = Message("gateway", "Format not supported: end the address with .json or .xml.")
UNAVAILABLE = Message("gateway", "The service is not available right now. Please try again later.")
#: In English, for a message of the schema's that it words only in Spanish.
INTERNAL = Message(
    "gateway", "Something went wrong on our side. It has been logged; please try again later."
)
NOT_TEXT = Message("gateway", "%(name)s must be text, not a file.")
NOT_A_NUMBER = Message("gateway", "%(name)s must be a number, for example 18.4861.")
NOT_A_MOMENT = Message(
    "gateway", "%(name)s must be a W3C date and time, for example 2026-03-01T08:00:00-04:00."
)
PAGE_NOT_INTEGER = Message("gateway", "page and page_size must be whole numbers.")
PAGE_TOO_LOW = Message("gateway", "page must be 1 or more.")
PAGE_SIZE_RANGE = Message("gateway", "page_size must be between 1 and %(maximum)s.")
TOO_MANY_IDS = Message("gateway", "Give at most %(maximum)s service_request_id at a time.")
BAD_STATUS = Message("gateway", "status must be open, closed, or both separated by a comma.")
END_BEFORE_START = Message("gateway", "end_date cannot be before start_date.")
NO_SUCH_REQUEST = Message("gateway", "There is no request numbered %(number)s.")
NO_SUCH_TOKEN = Message("gateway", "There is no request with that token.")
UNKNOWN_SERVICE = Message(
    "gateway",
    "The service '%(code)s' does not exist in this local government or does not take requests "
    "online. See the list in services.json.",
)
NO_SERVICE_CODE = Message("gateway", "The service_code parameter is missing: give the service.")
NOT_A_FORM = Message(
    "gateway",
    "Send the fields as a form (application/x-www-form-urlencoded or multipart/form-data), "
    "without attached files.",
)
RECEIVED = Message("gateway", "Request received with tracking number %(number)s.")
EXPECTED_BY = Message("gateway", "Expected answer by: %(day)s.")
ON_ITS_WAY = Message("gateway", "It is on its way to the local government's system.")
#: When an error names no problem of its own.
REQUEST_ERROR = Message("gateway", "Error in the request.")


def with_values(message: Message, **values: object) -> Message:
    """`message` with the values of its `%(placeholders)s`, still in no language."""
    return dataclasses.replace(message, params=values)


def language_of(accept_language: str | None) -> Language:
    """The language of the answer: English only when the client prefers it."""
    chosen = negotiate(accept_language)
    return Language.EN if chosen is PageLanguage.ENGLISH else Language.ES


def content_language(language: Language) -> str:
    return "en" if language is Language.EN else "es-DO"
