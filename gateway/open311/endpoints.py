"""The Open311 GeoReport v2 endpoints: each runs the hub's own GraphQL operations
in-process (`gateway.open311.operations`), so the same checks and loaders apply.

Who asks:
- `POST requests` is made by an API client alone: its key (`api_key` form field or
  `X-Api-Key` header, with the SUBMIT_OPEN311 scope) is the whole principal, whatever
  session cookie or bearer token came along. A page on another site therefore cannot
  make a signed-in citizen's browser file a request in their name, which is why this
  endpoint needs no CSRF token; the request is filed under the key ("api-key:<id>").
- The GETs are answered for the request's own principal (anonymous, or who a bearer
  token or session names), plus the scopes of a key if one is given. Only a person can be
  allowed personal data, so only for a person are the personal fields of one request
  asked (null, and not shown, for anyone the schema refuses); lists never hold them.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from graphql import ExecutionResult
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gateway.api_keys import presented_key
from gateway.open311 import operations, words
from gateway.open311.formats import Format, Open311Error, error_response, render
from gateway.open311.mapping import (
    attribute,
    local_code,
    parameter_of,
    parse_datetime,
    request_item,
    service_item,
    statuses_for,
)
from schema.developers.keys import STORE_DOWN, ApiKeyRejected, ApiKeyStoreUnavailable, with_grant
from schema.language import Language, Text, worded
from schema.personal import data_subject_of
from schema.principal import ANONYMOUS, Principal, principal_from_connection
from words import Message

log = logging.getLogger("planasmun.open311")

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: When this Open311 endpoint last changed in a way clients may notice.
CHANGESET = "2026-03-01T00:00:00-04:00"
DEFAULT_PAGE_SIZE = 50
#: The largest page of `GET requests` (its query's cost stays within the hub's budget).
MAX_OPEN311_PAGE = 100
DEFAULT_DAYS = 90
MAX_IDS = 50
#: Attributes: `attribute[code]` (one value) or `attribute[code][]` (a multiple choice).
_ATTRIBUTE = re.compile(r"attribute\[([^\[\]]{1,60})\](\[\])?")
#: Schema input codes and the HTTP status Open311 answers them with.
_STATUS_OF_CODE = {
    "UNAUTHENTICATED": 403,
    "FORBIDDEN": 403,
    "INVALID_KEY": 403,
    "UNKNOWN_MUNICIPALITY": 404,
    "UNKNOWN_SERVICE": 404,
    "UNAVAILABLE": 503,
}
#: Errors of personal fields that only mean "not for you": the field is left out.
_NOT_FOR_YOU = frozenset({"FORBIDDEN", "UNAUTHENTICATED", "PURPOSE_REQUIRED"})

# -- the caller ---------------------------------------------------------------------------


async def _with_key(request: Request, base: Principal, presented: str | None) -> Principal:
    """`base` with the scopes of the presented key; a bad key is the spec's 403."""
    if presented is None:
        return base
    try:
        grant = await request.app.state.hub.api_keys.verify(presented)
    except ApiKeyRejected as rejected:
        log.info("Open311: API key refused: %s", rejected.problem.value)
        raise Open311Error(403, Text(rejected.message_es, rejected.message_en)) from None
    except ApiKeyStoreUnavailable as exc:
        log.warning("Open311: API key not verified: %s", exc)
        raise Open311Error(503, Text(*STORE_DOWN)) from None
    return with_grant(base, grant)


async def _reader(request: Request) -> Principal:
    """Who asks a GET: the request's principal, plus a key's scopes if one is given."""
    presented = presented_key(request.scope) or request.query_params.get("api_key") or None
    return await _with_key(request, principal_from_connection(request), presented)


async def _submitter(request: Request, form: FormData) -> Principal:
    """Who files a POST: the API key alone (see the module's notes)."""
    field = form.get("api_key")
    presented = presented_key(request.scope) or (
        field.strip() if isinstance(field, str) and field.strip() else None
    )
    if presented is None:
        raise Open311Error(403, words.NO_KEY)
    return await _with_key(request, ANONYMOUS, presented)


# -- running the schema -------------------------------------------------------------------


def _language(request: Request) -> Language:
    """The answer's language, as `endpoint` chose it (Spanish outside an endpoint)."""
    language: Language = getattr(request.state, "open311_language", Language.ES)
    return language


async def _execute(
    request: Request, query: str, variables: Mapping[str, Any], principal: Principal
) -> ExecutionResult:
    hub = request.app.state.hub
    context = hub.context(request)
    context.principal = principal
    # Every operation is given the answer's language; those that word texts use it.
    values = {**variables, "language": _language(request).name}
    result: ExecutionResult = await hub.schema.execute(
        query, variable_values=values, context_value=context
    )
    return result


def _code(error: Any) -> str:
    return str((getattr(error, "extensions", None) or {}).get("code", ""))


def _failure(result: ExecutionResult) -> Open311Error:
    """The spec's error for an answer that lacks what was asked."""
    errors = list(result.errors or [])
    for error in errors:
        code = _code(error)
        if code == "BAD_USER_INPUT":
            # In Spanish as the schema worded it; in English, named as a bad parameter.
            bad = Message("gateway", "Bad parameter: %(message)s", {"message": error.message})
            return Open311Error(400, bad)
    if errors:
        codes = [_code(e) for e in errors]
        log.warning("Open311: the schema answered with errors: %s", codes)
        unavailable = any(c.startswith("UPSTREAM_") or c.endswith("UNAVAILABLE") for c in codes)
        # The schema words these in Spanish only: English readers get the general words.
        general = words.UNAVAILABLE if unavailable else words.INTERNAL
        messages = [Text(m, general.en) for m in dict.fromkeys(e.message for e in errors)]
        return Open311Error(503 if unavailable else 500, *messages)
    return Open311Error(503, words.UNAVAILABLE)


async def _jurisdiction(
    request: Request, principal: Principal, *, required: bool = True
) -> dict[str, Any] | None:
    """The municipality `jurisdiction_id` names: 400 when missing (if required), 404 when
    unknown."""
    wanted = (request.query_params.get("jurisdiction_id") or "").strip()
    if not wanted:
        if required:
            raise Open311Error(400, words.NO_JURISDICTION)
        return None
    return await _municipality(request, principal, wanted)


async def _municipality(request: Request, principal: Principal, wanted: str) -> dict[str, Any]:
    result = await _execute(request, operations.JURISDICTION, {"id": wanted}, principal)
    if result.data is None:
        raise _failure(result)
    found: dict[str, Any] | None = result.data.get("municipality")
    if found is None:
        raise Open311Error(404, words.UNKNOWN_JURISDICTION)
    return found


# -- the endpoints --------------------------------------------------------------------------

Handler = Callable[[Request, Format], Awaitable[Response]]


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """`handler` with the format taken from the path and errors in the spec's format."""

    async def run(request: Request) -> Response:
        language = words.language_of(request.headers.get("accept-language"))
        request.state.open311_language = language
        fmt = Format.of(str(request.path_params.get("format", "")))
        if fmt is None:
            response = error_response(
                Open311Error(404, words.UNKNOWN_FORMAT), Format.JSON, language
            )
        else:
            try:
                response = await handler(request, fmt)
            except Open311Error as error:
                response = error_response(error, fmt, language)
        response.headers["Content-Language"] = words.content_language(language)
        response.headers.append("Vary", "Accept-Language")
        return response

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


_PUBLIC_CACHE = {"Cache-Control": "public, max-age=60"}
_NO_STORE = {"Cache-Control": "no-store"}


async def root(request: Request) -> Response:
    return RedirectResponse(request.url_for("open311_discovery", format="json"), 307)


async def discovery(request: Request, fmt: Format) -> Response:
    """Where the endpoint is, which formats it speaks, how to get a key."""
    hub = request.app.state.hub
    base = (hub.settings.public_base_url or str(request.base_url)).rstrip("/")
    language = _language(request)
    body = {
        "changeset": CHANGESET,
        "contact": worded(words.CONTACT, language),
        "key_service": worded(words.KEY_SERVICE, language),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{base}/open311/v2",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(body, "discovery", fmt, headers=_PUBLIC_CACHE)


async def _services_of(request: Request, principal: Principal, municipality_id: str) -> list[Any]:
    found: list[Any] = []
    offset = 0
    while True:
        result = await _execute(
            request,
            operations.SERVICES,
            {"id": municipality_id, "first": operations.SERVICES_PAGE, "offset": offset},
            principal,
        )
        municipality = (result.data or {}).get("municipality")
        if result.data is None or (municipality is not None and municipality["services"] is None):
            raise _failure(result)
        if municipality is None:
            raise Open311Error(404, words.UNKNOWN_JURISDICTION)
        page = municipality["services"]
        found.extend(page)
        if len(page) < operations.SERVICES_PAGE or offset > 50 * operations.SERVICES_PAGE:
            return found
        offset += operations.SERVICES_PAGE


async def services(request: Request, fmt: Format) -> Response:
    """The jurisdiction's services that take requests online."""
    principal = await _reader(request)
    municipality = await _jurisdiction(request, principal)
    assert municipality is not None
    listed = await _services_of(request, principal, municipality["id"])
    body = [service_item(s, municipality["id"]) for s in listed if s["acceptsRequests"]]
    return render(body, "services", fmt, headers=_PUBLIC_CACHE)


async def service_definition(request: Request, fmt: Format) -> Response:
    """A service's own questions, as attributes."""
    principal = await _reader(request)
    municipality = await _jurisdiction(request, principal)
    assert municipality is not None
    code = str(request.path_params["service_code"])
    result = await _execute(
        request,
        operations.SERVICE_DEFINITION,
        {"id": f"{municipality['id']}:{code}"},
        principal,
    )
    if result.data is None:
        raise _failure(result)
    service = result.data.get("service")
    if service is None and result.errors:
        raise _failure(result)
    if service is None or not service["acceptsRequests"]:
        raise Open311Error(404, _unknown_service(code))
    fields = sorted(service["requestFields"], key=lambda f: (f["order"], f["code"]))
    body = {
        "service_code": local_code(municipality["id"], str(service["id"])),
        "attributes": [attribute(f) for f in fields],
    }
    return render(body, "service_definition", fmt, headers=_PUBLIC_CACHE)


def _unknown_service(code: str) -> Message:
    return words.with_values(words.UNKNOWN_SERVICE, code=code[:80])


def _page(request: Request) -> tuple[int, int]:
    """(first, offset) from the paging extension `page` (from 1) and `page_size`."""
    try:
        page = int(request.query_params.get("page") or 1)
        size = int(request.query_params.get("page_size") or DEFAULT_PAGE_SIZE)
    except ValueError:
        raise Open311Error(400, words.PAGE_NOT_INTEGER) from None
    if page < 1:
        raise Open311Error(400, words.PAGE_TOO_LOW)
    if not 1 <= size <= MAX_OPEN311_PAGE:
        raise Open311Error(400, words.with_values(words.PAGE_SIZE_RANGE, maximum=MAX_OPEN311_PAGE))
    return size, (page - 1) * size


def _moment(request: Request, name: str) -> dt.datetime | None:
    value = request.query_params.get(name)
    if value is None or not value.strip():
        return None
    moment = parse_datetime(value)
    if moment is None:
        raise Open311Error(400, words.with_values(words.NOT_A_MOMENT, name=name))
    return moment


async def _one_request(
    request: Request, principal: Principal, number: str, *, personal: bool
) -> dict[str, Any] | None:
    """One request as Open311 shows it; None when there is no such request."""
    result = await _execute(
        request, operations.REQUEST, {"number": number, "personal": personal}, principal
    )
    if result.data is None:
        raise _failure(result)
    found: dict[str, Any] | None = result.data.get("serviceRequest")
    if found is None:
        if any(_code(e) not in _NOT_FOR_YOU for e in result.errors or []):
            raise _failure(result)
        return None
    return found


async def requests_list(request: Request, fmt: Format) -> Response:
    """A jurisdiction's requests (public view), newest first, a page at a time."""
    principal = await _reader(request)
    municipality = await _jurisdiction(request, principal)
    assert municipality is not None
    params = request.query_params
    ids = [i.strip() for i in (params.get("service_request_id") or "").split(",") if i.strip()]
    if ids:
        if len(ids) > MAX_IDS:
            raise Open311Error(400, words.with_values(words.TOO_MANY_IDS, maximum=MAX_IDS))
        items: list[dict[str, Any]] = []
        for number in dict.fromkeys(ids):
            found = await _one_request(request, principal, number, personal=False)
            if found is not None and found["municipality"]["id"] == municipality["id"]:
                items.append(request_item(found))
        return render(items, "service_requests", fmt, headers=_NO_STORE)
    first, offset = _page(request)
    statuses = None
    if params.get("status"):
        statuses = statuses_for(params["status"])
        if statuses is None:
            raise Open311Error(400, words.BAD_STATUS)
    codes = [c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()]
    start, end = _moment(request, "start_date"), _moment(request, "end_date")
    if start is None and end is None:
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=DEFAULT_DAYS)
    if start is not None and end is not None and end < start:
        raise Open311Error(400, words.END_BEFORE_START)
    variables = {
        "id": municipality["id"],
        "services": codes or None,
        "status": statuses or None,
        "from": None if start is None else start.isoformat(),
        # end_date is inclusive; the schema's submittedTo is not.
        "to": None if end is None else (end + dt.timedelta(microseconds=1)).isoformat(),
        "first": first,
        "offset": offset,
    }
    result = await _execute(request, operations.REQUESTS, variables, principal)
    listed = (result.data or {}).get("publicServiceRequests")
    if listed is None:
        raise _failure(result)
    body = [request_item(r) for r in listed]
    return render(body, "service_requests", fmt, headers=_NO_STORE)


async def request_detail(request: Request, fmt: Format) -> Response:
    """One request: its public view; its personal fields only for who may read them."""
    principal = await _reader(request)
    municipality = await _jurisdiction(request, principal, required=False)
    number = str(request.path_params["service_request_id"])
    personal = data_subject_of(principal) is not None
    found = await _one_request(request, principal, number, personal=personal)
    if found is None or (
        municipality is not None and found["municipality"]["id"] != municipality["id"]
    ):
        raise Open311Error(404, words.with_values(words.NO_SUCH_REQUEST, number=number[:40]))
    shown = {k: found.get(k) for k in ("description", "address", "latitude", "longitude")}
    headers = {"Cache-Control": "private, no-store"} if personal else _NO_STORE
    return render([request_item(found, shown)], "service_requests", fmt, headers=headers)


async def token(request: Request, fmt: Format) -> Response:
    """The tracking number of a request the POST answered with a token (still on its way
    to the municipality's system then)."""
    principal = await _reader(request)
    municipality = await _jurisdiction(request, principal, required=False)
    value = str(request.path_params["token"])
    found = await _one_request(request, principal, value, personal=False)
    if found is None or (
        municipality is not None and found["municipality"]["id"] != municipality["id"]
    ):
        raise Open311Error(404, words.NO_SUCH_TOKEN)
    body = [{"service_request_id": found["trackingNumber"], "token": value}]
    return render(body, "service_requests", fmt, headers=_NO_STORE)


# -- POST requests --------------------------------------------------------------------------


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Open311Error(400, words.with_values(words.NOT_TEXT, name=name))
    return value.strip() or None


def _number(form: FormData, name: str) -> float | None:
    value = _text(form, name)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise Open311Error(400, words.with_values(words.NOT_A_NUMBER, name=name)) from None


def _answers(form: FormData) -> list[dict[str, str]]:
    answers: list[dict[str, str]] = []
    for name, value in form.multi_items():
        match = _ATTRIBUTE.fullmatch(name)
        if match is None:
            continue
        if not isinstance(value, str):
            raise Open311Error(400, words.with_values(words.NOT_TEXT, name=name))
        if value.strip():
            answers.append({"code": match[1], "value": value.strip()})
    return answers


def _problems(errors: Sequence[Mapping[str, Any]]) -> Open311Error:
    statuses = [_STATUS_OF_CODE.get(str(e["code"]), 400) for e in errors]
    status = next((s for s in (403, 404, 503) if s in statuses), 400)
    descriptions = []
    for error in errors:
        parameter = parameter_of(error.get("field"))
        message = Text(str(error["message"]), str(error.get("en") or error["message"]))
        if parameter:
            message = Text(f"{parameter}: {message.es}", f"{parameter}: {message.en}")
        descriptions.append(message)
    return Open311Error(status, *descriptions)


def _notice(submitted: Mapping[str, Any], language: Language) -> str:
    sentences = [words.with_values(words.RECEIVED, number=submitted["trackingNumber"])]
    if submitted.get("expectedBy"):
        day = dt.date.fromisoformat(str(submitted["expectedBy"]))
        shown = day.strftime("%d/%m/%Y") if language is Language.ES else day.isoformat()
        sentences.append(words.with_values(words.EXPECTED_BY, day=shown))
    if not submitted["deliveredToMunicipality"]:
        sentences.append(words.ON_ITS_WAY)
    return " ".join(worded(sentence, language) for sentence in sentences)


async def create_request(request: Request, fmt: Format) -> Response:
    """File a request with an API key (SUBMIT_OPEN311)."""
    try:
        form = await request.form(max_files=0, max_fields=200)
    except HTTPException:
        raise Open311Error(400, words.NOT_A_FORM) from None
    try:
        principal = await _submitter(request, form)
        wanted = (_text(form, "jurisdiction_id") or "").strip()
        if not wanted:
            raise Open311Error(400, words.NO_JURISDICTION)
        municipality = await _municipality(request, principal, wanted)
        code = _text(form, "service_code")
        if code is None:
            raise Open311Error(400, words.NO_SERVICE_CODE)
        idempotency = (
            request.headers.get("idempotency-key")
            or _text(form, "idempotency_key")
            or uuid.uuid4().hex
        )
        lat, long = _number(form, "lat"), _number(form, "long")
        submission = {
            "municipalityId": municipality["id"],
            "serviceId": code,
            "description": _text(form, "description") or "",
            "address": _text(form, "address_string"),
            "latitude": lat,
            "longitude": long,
            "answers": _answers(form),
            "idempotencyKey": idempotency.strip(),
            # Open311 has no consent field; the schema asks `consent: true` of API clients
            # too, and records no consent row for them (no person's profile stands behind
            # a key). The application submitting is answerable for its citizens' consent.
            "consent": True,
        }
    finally:
        await form.close()
    result = await _execute(request, operations.SUBMIT, {"input": submission}, principal)
    payload = (result.data or {}).get("submitServiceRequest")
    if payload is None:
        raise _failure(result)
    if payload["errors"]:
        raise _problems(payload["errors"])
    submitted = payload["request"]
    if submitted is None:
        raise Open311Error(503, words.UNAVAILABLE)
    number = submitted["trackingNumber"]
    item: dict[str, Any] = {}
    if not submitted["deliveredToMunicipality"]:
        # Not yet in the municipality's own system: the token says so (it is the tracking
        # number, which already works everywhere; tokens/{token} gives it back).
        item["token"] = number
    item["service_request_id"] = number
    item["service_notice"] = _notice(submitted, _language(request))
    item["account_id"] = None
    return render([item], "service_requests", fmt, headers=_NO_STORE)
