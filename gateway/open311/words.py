"""What the Open311 endpoint says in its own words, in Spanish and in English.

Open311 has no language parameter; a client says which language its citizens read with
`Accept-Language` (Spanish unless it prefers English), and the answer carries
`Content-Language`. Municipal data (service names, notes) stays in the words it was
written in; the schema's own texts (status labels, questions, its error messages) are asked
of the schema in the chosen language.
"""

from __future__ import annotations

from accessibility import Language as PageLanguage
from accessibility.language import negotiate
from schema.language import Language, Text

CONTACT = Text(
    "Liga Municipal Dominicana, administración nacional de PLANASMUN "
    "(datos de demostración: los números y correos de los ayuntamientos son ficticios).",
    "Liga Municipal Dominicana, the national administration of PLANASMUN "
    "(demo data: the local governments' numbers and addresses are fictitious).",
)
KEY_SERVICE = Text(
    "Para enviar solicitudes (POST requests) hace falta una clave de API con el permiso "
    "SUBMIT_OPEN311, que emite la administración nacional de PLANASMUN (Liga Municipal "
    "Dominicana). Las consultas (GET) no la necesitan.",
    "Filing requests (POST requests) needs an API key with the SUBMIT_OPEN311 scope, "
    "issued by the national administration of PLANASMUN (Liga Municipal Dominicana). "
    "Reading (GET) needs none.",
)
NO_JURISDICTION = Text(
    "Falta el parámetro jurisdiction_id: indique el identificador del gobierno local "
    "(por ejemplo, santo-domingo-este).",
    "The jurisdiction_id parameter is missing: give the local government's identifier "
    "(for example, santo-domingo-este).",
)
UNKNOWN_JURISDICTION = Text(
    "No hay ningún gobierno local con ese jurisdiction_id en PLANASMUN. La lista está en "
    "la consulta GraphQL `municipalities { id name }`.",
    "There is no local government with that jurisdiction_id in PLANASMUN. The GraphQL "
    "query `municipalities { id name }` lists them.",
)
NO_KEY = Text(
    "Falta la clave de API: envíela en el campo api_key o en la cabecera X-Api-Key. "
    "Para enviar solicitudes hace falta una clave con el permiso SUBMIT_OPEN311.",
    "The API key is missing: send it in the api_key field or the X-Api-Key header. "
    "Filing requests needs a key with the SUBMIT_OPEN311 scope.",
)
UNKNOWN_FORMAT = Text(
    "Formato no admitido: use .json o .xml al final de la dirección.",
    "Format not supported: end the address with .json or .xml.",
)
UNAVAILABLE = Text(
    "El servicio no está disponible en este momento. Inténtelo de nuevo más tarde.",
    "The service is not available right now. Please try again later.",
)
#: In English, for a message of the schema's that it words only in Spanish.
INTERNAL = Text(
    "Ocurrió un error interno. Ya fue registrado; inténtelo de nuevo más tarde.",
    "Something went wrong on our side. It has been logged; please try again later.",
)
NOT_TEXT = Text("{name} debe ser texto, no un archivo.", "{name} must be text, not a file.")
NOT_A_NUMBER = Text(
    "{name} debe ser un número, por ejemplo 18.4861.",
    "{name} must be a number, for example 18.4861.",
)
NOT_A_MOMENT = Text(
    "{name} debe ser una fecha y hora W3C, por ejemplo 2026-03-01T08:00:00-04:00.",
    "{name} must be a W3C date and time, for example 2026-03-01T08:00:00-04:00.",
)
PAGE_NOT_INTEGER = Text(
    "page y page_size deben ser números enteros.", "page and page_size must be whole numbers."
)
PAGE_TOO_LOW = Text("page debe ser 1 o mayor.", "page must be 1 or more.")
PAGE_SIZE_RANGE = Text(
    "page_size debe estar entre 1 y {maximum}.", "page_size must be between 1 and {maximum}."
)
TOO_MANY_IDS = Text(
    "Indique como máximo {maximum} service_request_id a la vez.",
    "Give at most {maximum} service_request_id at a time.",
)
BAD_STATUS = Text(
    "status debe ser open, closed o ambos separados por coma.",
    "status must be open, closed, or both separated by a comma.",
)
END_BEFORE_START = Text(
    "end_date no puede ser anterior a start_date.", "end_date cannot be before start_date."
)
NO_SUCH_REQUEST = Text(
    "No hay ninguna solicitud con el número {number}.", "There is no request numbered {number}."
)
NO_SUCH_TOKEN = Text(
    "No hay ninguna solicitud con ese token.", "There is no request with that token."
)
UNKNOWN_SERVICE = Text(
    "El servicio '{code}' no existe en este gobierno local o no admite solicitudes en "
    "línea. Consulte la lista en services.json.",
    "The service '{code}' does not exist in this local government or does not take "
    "requests online. See the list in services.json.",
)
NO_SERVICE_CODE = Text(
    "Falta el parámetro service_code: indique el servicio.",
    "The service_code parameter is missing: give the service.",
)
NOT_A_FORM = Text(
    "Envíe los campos como formulario (application/x-www-form-urlencoded o "
    "multipart/form-data), sin archivos adjuntos.",
    "Send the fields as a form (application/x-www-form-urlencoded or multipart/form-data), "
    "without attached files.",
)
RECEIVED = Text(
    "Solicitud recibida con el número de seguimiento {number}.",
    "Request received with tracking number {number}.",
)
EXPECTED_BY = Text(" Fecha prevista de respuesta: {day}.", " Expected answer by: {day}.")
ON_ITS_WAY = Text(
    " Está en camino al sistema del gobierno local.",
    " It is on its way to the local government's system.",
)
#: When an error names no problem of its own.
REQUEST_ERROR = Text("Error en la solicitud.", "Error in the request.")


def worded(text: Text, **values: object) -> Text:
    """`text` with its `{placeholders}` filled, in both languages."""
    return Text(text.es.format(**values), text.en.format(**values))


def language_of(accept_language: str | None) -> Language:
    """The language of the answer: English only when the client prefers it."""
    chosen = negotiate(accept_language)
    return Language.EN if chosen is PageLanguage.ENGLISH else Language.ES


def content_language(language: Language) -> str:
    return "en" if language is Language.EN else "es-DO"
