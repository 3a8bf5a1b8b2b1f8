"""The citizen's request journey and the tracking pages.

Journey: a service that takes requests online links to `…/solicitar` (what you need,
sign in), then `…/solicitar/formulario`: one question per page (description; the
service's own fields; location; how the data is used), then "check your answers", then
the final POST, which redirects (PRG) to the confirmation with the tracking number.
Every step is a plain POST form carrying the answers so far in hidden fields
(`web.request_forms`); nothing personal goes into a cookie or a URL. The idempotency key
made when the form is first shown travels to the final POST: a double click or a POST
sent again creates one request.

Tracking: `/seguimiento` (type a number), `/seguimiento/<number>` (public: service,
status, dates, public notes; the signed-in submitter sees their answers too),
`/mis-solicitudes` (the signed-in citizen's requests). With JavaScript on,
`/static/seguimiento.js` subscribes to `requestStatusChanged` over the GraphQL
WebSocket (graphql-transport-ws) and announces changes in a polite live region.

All data goes through the hub's GraphQL schema, in-process (`web.page_base`).
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

import strawberry
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, NoMatchFound, Route

from schema.errors import PublicError
from schema.requests import attachments
from web import request_forms as forms
from web.citizen_pages import CONSENT_TERMS, DEMO_CITIZEN
from web.csrf import FIELD_NAME as CSRF_FIELD
from web.csrf import checks_own_token, csrf_matches
from web.errors import (
    MUNICIPALITY_NOT_FOUND,
    NOT_FOUND,
    SERVICE_NOT_FOUND,
    UNAVAILABLE,
    Crumb,
    ErrorPage,
)
from web.formatting import PageFormats
from web.i18n import translations
from web.labels import ATTACHMENT_KIND, N_, STATUS, STATUS_EXPLANATION
from web.links import LOGIN, NEXT_PARAMETER
from web.operations import operation
from web.page_base import Endpoint, PageBase
from web.preferences import Preferences, read_preferences
from web.routing import Example, Page
from web.staff_pages import demo_input, demo_tracking_number
from web.templating import Renderer, local_service_id

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: `SDE-2026-004217`; typed with spaces, dots or lower case, it is read the same.
TRACKING_NUMBER = re.compile(r"^[A-Z]{2,4}-\d{4}-\d{6}$")
#: Any number a municipality's own system may give (`SGM-2026-00041`, `SOL-2023-0097`):
#: letters and digits, both, with - . / _; whether it names a request the schema decides.
ANY_NUMBER = re.compile(r"^(?=.*[A-Z])(?=.*\d)[A-Z0-9][A-Z0-9./_-]{2,39}$")
_MAX_FORM_PART = 10_000

# -- The demo data the audits use (see tests/web/requests_support.py) ------------------

#: A service of the native municipality that takes requests and asks its own questions.
DEMO_MUNICIPALITY = "santo-domingo-este"
DEMO_SERVICE = "recogida-desechos-comercial"
#: One of its services done in person or by phone only.
DEMO_OFFLINE_SERVICE = "recogida-escombros"
#: The first request of the year there, submitted by María when the audits' demo data is
#: prepared (tests/web/staff_support.py).
DEMO_TRACKING_NUMBER = demo_tracking_number(1)
DEMO_UNKNOWN_NUMBER = "SDE-2000-999999"
#: What a citizen types that is no tracking number at all.
DEMO_NOT_A_NUMBER = N_("not a number")
DEMO_UNKNOWN_ATTACHMENT = "0" * 32

# -- What the pages ask the schema (web/operations/) -----------------------------------

SERVICE = operation("WebRequestService")
CONTACT = operation("WebRequestContact")
SUBMIT = operation("WebSubmitServiceRequest")
TRACKING = operation("WebTracking")
#: Which requests are the caller's: asked before any personal field, so that nobody
#: else's request is ever asked for with them (a refusal would be audited).
OWNED = operation("WebMyRequestNumbers")
#: The caller's own request, with what they wrote and the service's questions.
OWN = operation("WebMyServiceRequest")
MINE = operation("WebMyServiceRequests")

# -- Words -------------------------------------------------------------------------------

#: What the citizen agrees to before a request is sent (the purpose `service_request`).
REQUEST_CONSENT_TERMS = N_(
    "PLANASMUN will send this request, with the contact details in your profile, to the "
    "local government that provides the service, so that its staff can handle it and "
    "tell you how it is going. Only that local government's staff can see your details, "
    "and each time they do it is recorded. Anyone who has the tracking number can see the "
    "service, the status and the dates, but never your details. You can see, correct, "
    "download or ask to delete your data at any time (Law 172-13)."
)

LOOKUP_PROBLEMS: Mapping[str, str] = {
    "missing": N_("Enter your tracking number"),
    "invalid": N_("Enter the tracking number as it was given to you, like SDE-2026-004217"),
}


def normalise_number(text: str) -> str:
    """` sde 2026 4217 ` → `SDE-2026-004217` (a number read aloud and typed back). One
    typed just as a system writes it (`SOL-2023-0097`) is kept: `tracking` pads it only
    when no system holds it as typed."""
    typed = text.strip().upper()
    cleaned = re.sub(r"[\s._–—-]+", "-", typed).strip("-")
    if cleaned == typed and "-" in typed:
        return cleaned
    return padded_number(cleaned)


def padded_number(cleaned: str) -> str:
    """`SDE-2026-4217` → `SDE-2026-004217`: the hub's numbers have six digits at least."""
    match = re.fullmatch(r"([A-Z]{2,4})-?(\d{4})-?(\d{1,6})", cleaned)
    if match is None:
        return cleaned
    code, year, number = match.groups()
    return f"{code}-{year}-{int(number):06d}"


def _language(request: Request) -> str:
    """The schema's `Language` for the page's language (ES or EN)."""
    return read_preferences(request).language.value.upper()


def _answers_shown(
    answers: Sequence[Mapping[str, Any]], fields: Sequence[forms.RequestField]
) -> list[tuple[str, str]]:
    """(question, answer) with the service's own words; choice keys become their names."""
    by_code = {f.code: f for f in fields}
    grouped: dict[str, list[str]] = {}
    for answer in answers:
        field = by_code.get(str(answer["code"]))
        value = str(answer["value"])
        # A multiple choice comes back as its keys, comma-separated.
        parts = value.split(",") if field is not None and field.multiple else [value]
        grouped.setdefault(str(answer["code"]), []).extend(parts)
    shown = []
    for code, values in grouped.items():
        field = by_code.get(code)
        if field is None:
            shown.append((code, ", ".join(values)))
            continue
        names = dict(field.choices)
        shown.append((field.label, ", ".join(names.get(v, v) for v in values)))
    return shown


class RequestPages(PageBase):
    """The journey's and the tracking pages' endpoints."""

    # -- Plumbing --------------------------------------------------------------------

    def _signed_in(self, endpoint: Endpoint) -> Endpoint:
        """Anonymous visitors sign in first and come back here."""

        @functools.wraps(endpoint)
        async def signed_in(request: Request) -> Response:
            if self._person(request) is None:
                return self._sign_in(request, "requests/sign_in.html")
            return await endpoint(request)

        return signed_in

    def _shared(self, request: Request, preferences: Preferences) -> Mapping[str, Any]:
        return {
            "fmt": PageFormats(preferences.language.locale),
            "status_labels": STATUS,
            "status_explanations": STATUS_EXPLANATION,
            "attachment_kinds": ATTACHMENT_KIND,
        }

    async def _service(
        self, request: Request
    ) -> tuple[Mapping[str, Any], Mapping[str, Any]] | Response:
        """The municipality and the service of the URL, or the error page to answer."""
        municipality_id = request.path_params["id"]
        service_id = request.path_params["service_id"]
        if not (_SLUG.match(municipality_id) and _SLUG.match(service_id)):
            return self._error(request, SERVICE_NOT_FOUND)
        result = await self._query(
            request,
            SERVICE,
            {
                "municipality": municipality_id,
                "service": f"{municipality_id}:{service_id}",
                "language": _language(request),
            },
        )
        municipality = result.data.get("municipality")
        service = result.data.get("service")
        if municipality is None:
            page = UNAVAILABLE if result.problems else MUNICIPALITY_NOT_FOUND
            return self._error(request, page, result.problems)
        back = Crumb(municipality["name"], request.url_for("municipality", id=municipality_id).path)
        if service is None:
            page = UNAVAILABLE if result.problems else SERVICE_NOT_FOUND
            return self._error(request, page, result.problems, back)
        if not service.get("acceptsRequests"):
            return self._error(request, NOT_ONLINE, back=back)
        return municipality, service

    @staticmethod
    def _preferences(request: Request) -> Preferences:
        return read_preferences(request)

    # -- /municipios/{id}/servicios/{service_id}/solicitar --------------------------

    async def start(self, request: Request) -> Response:
        found = await self._service(request)
        if isinstance(found, Response):
            return found
        municipality, service = found
        form_url = request.url_for(
            "request_form", id=municipality["id"], service_id=request.path_params["service_id"]
        ).path
        sign_in_url = None
        if self._person(request) is None:
            try:
                login = request.url_for(LOGIN).path
            except NoMatchFound:
                login = None
            if login is not None:
                sign_in_url = f"{login}?{urlencode({NEXT_PARAMETER: form_url})}"
        return self._render(
            request,
            "requests/start.html",
            {
                "municipality": municipality,
                "service": service,
                "fields": forms.request_fields(service),
                "form_url": form_url,
                "signed_in": self._person(request) is not None,
                "sign_in_url": sign_in_url,
            },
        )

    # -- …/solicitar/formulario: one step per page ----------------------------------

    async def form_page(self, request: Request) -> Response:
        found = await self._service(request)
        if isinstance(found, Response):
            return found
        municipality, service = found
        fields = forms.request_fields(service)
        steps = forms.steps_for(fields)
        step = request.query_params.get(forms.F_STEP, steps[0])
        if step not in steps:
            step = steps[0]
        return await self._step(request, municipality, service, fields, step, forms.Draft.empty())

    async def form_submit(self, request: Request) -> Response:
        found = await self._service(request)
        if isinstance(found, Response):
            return found
        try:
            # Open until the answer is made: the last step's files are read from it.
            async with request.form(
                max_files=forms.MAX_FORM_FILES, max_fields=200, max_part_size=_MAX_FORM_PART
            ) as form:
                return await self._form_submit(request, found, form)
        except HTTPException as error:
            # A form no page of ours makes (too many files or fields, a broken body).
            if error.status_code != 400:
                raise
            return self._error(request, BAD_FORM)

    async def _form_submit(
        self,
        request: Request,
        found: tuple[Mapping[str, Any], Mapping[str, Any]],
        form: FormData,
    ) -> Response:
        municipality, service = found
        fields = forms.request_fields(service)
        steps = forms.steps_for(fields)
        draft = forms.Draft.from_form(form, fields)
        step = form.get(forms.F_STEP)
        step = step if isinstance(step, str) and step in steps else steps[0]
        action = form.get(forms.F_ACTION)
        action = action if isinstance(action, str) else "continuar"

        if not csrf_matches(request.session, form.get(CSRF_FIELD)):
            problem = forms.Problem(None, "csrf")
            return await self._step(
                request, municipality, service, fields, step, draft, [problem], status_code=400
            )
        if action == "atras":
            back = steps[max(steps.index(step) - 1, 0)]
            return await self._step(request, municipality, service, fields, back, draft)
        if action.startswith("cambiar-") and action[8:] in steps:
            draft.reviewing = True
            return await self._step(request, municipality, service, fields, action[8:], draft)
        if step == forms.CHECK:
            files = forms.chosen_files(form)
            return await self._send(request, municipality, service, fields, draft, files)
        problems = forms.check_step(step, draft, fields)
        if problems:
            return await self._step(
                request, municipality, service, fields, step, draft, problems, status_code=400
            )
        following = forms.CHECK if draft.reviewing else steps[steps.index(step) + 1]
        if following == forms.CHECK:
            draft.reviewing = False
            failing = forms.first_failing_step(draft, fields)
            if failing is not None:
                # Started from a step's own address: an earlier question is unanswered.
                earlier, problems = failing
                return await self._step(
                    request,
                    municipality,
                    service,
                    fields,
                    earlier,
                    draft,
                    problems,
                    status_code=400,
                )
        return await self._step(request, municipality, service, fields, following, draft)

    async def _send(
        self,
        request: Request,
        municipality: Mapping[str, Any],
        service: Mapping[str, Any],
        fields: Sequence[forms.RequestField],
        draft: forms.Draft,
        files: Sequence[UploadFile] = (),
    ) -> Response:
        # Whatever goes wrong, the files are not kept: the page asks for them again.
        draft.files_dropped = bool(files)
        failing = forms.first_failing_step(draft, fields)
        if failing is not None:
            step, problems = failing
            return await self._step(
                request, municipality, service, fields, step, draft, problems, status_code=400
            )
        submitted = forms.submit_input(draft, fields, municipality["id"], service["id"])
        # Starlette's files, as the schema's `Upload` scalar takes them (in-process).
        submitted["attachments"] = list(files)
        variables = {"input": submitted, "language": _language(request)}
        result = await self._query(request, SUBMIT, variables)
        outcome = result.data.get("submitServiceRequest")
        if outcome is None:
            problem = forms.Problem(None, "unavailable")
            return await self._step(
                request,
                municipality,
                service,
                fields,
                forms.CHECK,
                draft,
                [problem],
                status_code=503,
            )
        if outcome["errors"] or outcome["request"] is None:
            problems = [forms.problem_from_schema(e, fields) for e in outcome["errors"]]
            if not problems:
                problems = [forms.Problem(None, "unavailable")]
            step = forms.step_of_input(problems[0].field, fields)
            return await self._step(
                request, municipality, service, fields, step, draft, problems, status_code=400
            )
        number = outcome["request"]["trackingNumber"]
        # PRG: the browser's history holds a GET; a POST sent again finds the same request.
        return RedirectResponse(
            request.url_for("request_sent", number=number).path, status_code=303
        )

    async def _step(
        self,
        request: Request,
        municipality: Mapping[str, Any],
        service: Mapping[str, Any],
        fields: Sequence[forms.RequestField],
        step: str,
        draft: forms.Draft,
        problems: Sequence[forms.Problem] = (),
        *,
        status_code: int = 200,
    ) -> Response:
        steps = forms.steps_for(fields)
        contact = None
        if step in (forms.CONSENT, forms.CHECK):
            result = await self._query(request, CONTACT)
            me = result.data.get("me") or {}
            contact = me.get("profile") or {}
        service_id = request.path_params["service_id"]
        return self._render(
            request,
            f"requests/step_{step}.html",
            {
                "municipality": municipality,
                "service": service,
                "fields": fields,
                "step": step,
                "steps": steps,
                "number": steps.index(step) + 1,
                "total": len(steps),
                "title": forms.STEP_TITLES[step],
                "draft": draft,
                "hidden": draft.hidden(step, fields),
                "problems": problems,
                "by_field": {p.field: p for p in problems if p.field},
                "messages": forms.MESSAGES,
                "contact": contact,
                "consent_terms": REQUEST_CONSENT_TERMS,
                "profile_terms": CONSENT_TERMS,
                "action_url": request.url_for(
                    "request_form_submit", id=municipality["id"], service_id=service_id
                ).path,
                "service_url": request.url_for(
                    "service", id=municipality["id"], service_id=service_id
                ).path,
                "start_url": request.url_for(
                    "request_start", id=municipality["id"], service_id=service_id
                ).path,
                "display_answer": functools.partial(_display_answer, draft),
                "attachment_limits": forms.ATTACHMENT_LIMITS,
            },
            status_code=status_code,
        )

    # -- /seguimiento/{number}/confirmacion ------------------------------------------

    async def _own(self, request: Request, number: str) -> Mapping[str, Any] | None:
        """The signed-in citizen's own request with this number, with their answers."""
        if self._person(request) is None:
            return None
        owned = await self._query(request, OWNED)
        if number not in {r["trackingNumber"] for r in owned.data.get("myServiceRequests") or ()}:
            return None
        result = await self._query(request, OWN, {"number": number, "language": _language(request)})
        found: Mapping[str, Any] | None = result.data.get("serviceRequest")
        return found

    async def sent(self, request: Request) -> Response:
        number = normalise_number(request.path_params["number"])
        own = await self._own(request, number) if TRACKING_NUMBER.match(number) else None
        if own is None:
            # Not the submitter: the public page says all there is to say.
            return RedirectResponse(
                request.url_for("tracking", number=number).path, status_code=303
            )
        return self._render(request, "requests/sent.html", {"item": own})

    # -- /seguimiento ----------------------------------------------------------------

    async def lookup(self, request: Request) -> Response:
        typed = request.query_params.get("numero")
        if typed is None:
            return self._render(request, "requests/lookup.html", {"typed": "", "problem": None})
        number = normalise_number(typed[:60])
        if ANY_NUMBER.match(number):
            return RedirectResponse(
                request.url_for("tracking", number=number).path, status_code=303
            )
        problem = LOOKUP_PROBLEMS["missing" if not typed.strip() else "invalid"]
        return self._render(
            request,
            "requests/lookup.html",
            {"typed": typed[:60], "problem": problem},
            status_code=400,
        )

    # -- /seguimiento/{number} -------------------------------------------------------

    async def tracking(self, request: Request) -> Response:
        given = request.path_params["number"]
        number = normalise_number(given)
        if not ANY_NUMBER.match(number):
            return self._not_found(request, given)
        if number != given:
            return RedirectResponse(
                request.url_for("tracking", number=number).path, status_code=301
            )
        own = await self._own(request, number)
        item = own
        if item is None:
            result = await self._query(request, TRACKING, {"number": number})
            item = result.data.get("serviceRequest")
            if item is None:
                if result.problems:
                    return self._error(request, UNAVAILABLE, result.problems)
                if padded_number(number) != number:
                    return RedirectResponse(
                        request.url_for("tracking", number=padded_number(number)).path,
                        status_code=302,
                    )
                return self._not_found(request, number)
        answers: list[tuple[str, str]] = []
        if own is not None:
            fields = forms.request_fields(own.get("service") or {})
            answers = _answers_shown(own.get("answers") or (), fields)
        return self._render(
            request,
            "requests/tracking.html",
            {
                "item": item,
                "own": own,
                "answers": answers,
                "live_labels": self._translated_json(request, STATUS),
                "live_explanations": self._translated_json(request, STATUS_EXPLANATION),
            },
        )

    @staticmethod
    def _translated_json(request: Request, messages: Mapping[str, str]) -> str:
        """Words for the live updates, in the page's language, for a data attribute."""
        catalogue = translations(read_preferences(request).language)
        return json.dumps(
            {key: catalogue.gettext(message) for key, message in messages.items()},
            ensure_ascii=False,
        )

    def _not_found(self, request: Request, typed: str) -> Response:
        return self._render(
            request,
            "requests/lookup.html",
            {"typed": typed[:60], "problem": None, "not_found": True},
            status_code=404,
        )

    # -- /mis-solicitudes ------------------------------------------------------------

    async def mine(self, request: Request) -> Response:
        result = await self._query(request, MINE)
        items = sorted(
            result.data.get("myServiceRequests") or (),
            key=lambda item: str(item["submittedAt"]),
            reverse=True,
        )
        return self._render(
            request, "requests/mine.html", {"items": items, "problems": result.problems}
        )

    # -- /solicitudes/adjuntos/{id} ---------------------------------------------------

    async def attachment(self, request: Request) -> Response:
        """An attached file's bytes: for the citizen who sent it, and for staff of the
        owning local government with `?finalidad=` (audited). Anyone else, and an id
        that does not exist, get the same 404."""
        context = request.app.state.hub.context(request)
        purpose = request.query_params.get("finalidad")
        try:
            found = await attachments.download(
                context, request.path_params["id"][:64], None if purpose is None else purpose[:600]
            )
        except attachments.PurposeNeeded:
            return self._error(request, PURPOSE_NEEDED)
        except PublicError:
            return self._error(request, UNAVAILABLE)
        if found is None:
            return self._error(request, NOT_FOUND)
        return Response(
            found.content,
            media_type=found.content_type,
            headers={
                "Content-Disposition": _disposition(found.filename, found.content_type),
                "X-Content-Type-Options": "nosniff",
                # Never run as a page of this site, whatever a file holds.
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )

    # -- Routes ----------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        service = {"id": DEMO_MUNICIPALITY, "service_id": DEMO_SERVICE}
        maria = DEMO_CITIZEN
        form_examples = [Example(service, signed_in_as=maria)] + [
            Example(service, {forms.F_STEP: step}, signed_in_as=maria) for step in forms.STEPS[1:]
        ]
        return [
            Page(
                "/municipios/{id}/servicios/{service_id}/solicitar",
                self._guarded(self.start),
                name="request_start",
                examples=[
                    Example(service),
                    Example(service, signed_in_as=maria),
                    # A service done in person or by phone only.
                    Example(
                        {"id": DEMO_MUNICIPALITY, "service_id": DEMO_OFFLINE_SERVICE}, status=404
                    ),
                ],
            ),
            Page(
                "/municipios/{id}/servicios/{service_id}/solicitar/formulario",
                self._guarded(self._signed_in(self.form_page), private=True),
                name="request_form",
                examples=form_examples,
            ),
            Route(
                "/municipios/{id}/servicios/{service_id}/solicitar/formulario",
                checks_own_token(self._guarded(self._signed_in(self.form_submit), private=True)),
                methods=["POST"],
                name="request_form_submit",
            ),
            Page(
                "/seguimiento",
                self._guarded(self.lookup),
                name="tracking_lookup",
                examples=[
                    Example(),
                    Example(query={"numero": demo_input(DEMO_NOT_A_NUMBER)}, status=400),
                ],
            ),
            Page(
                "/seguimiento/{number}/confirmacion",
                self._guarded(self._signed_in(self.sent), private=True),
                name="request_sent",
                examples=[Example({"number": DEMO_TRACKING_NUMBER}, signed_in_as=maria)],
            ),
            Page(
                "/seguimiento/{number}",
                self._guarded(self.tracking, private=True),
                name="tracking",
                examples=[
                    Example({"number": DEMO_TRACKING_NUMBER}),
                    Example({"number": DEMO_TRACKING_NUMBER}, signed_in_as=maria),
                    Example({"number": DEMO_UNKNOWN_NUMBER}, status=404),
                ],
            ),
            Page(
                f"{attachments.DOWNLOAD_PATH}{{id}}",
                self._guarded(self.attachment, private=True),
                name="request_attachment",
                # A file is no page; what is audited is the answer to everyone else.
                examples=[Example({"id": DEMO_UNKNOWN_ATTACHMENT}, status=404)],
            ),
            Page(
                "/mis-solicitudes",
                self._guarded(self._signed_in(self.mine), private=True),
                name="my_requests",
                examples=[
                    Example(signed_in_as=maria),
                    Example(signed_in_as="juan"),  # none yet
                ],
            ),
        ]


PURPOSE_NEEDED = ErrorPage(
    400,
    N_("Say why you need to open this file"),
    N_(
        "Staff can open a citizen's files only with a reason, which is recorded. Open the "
        "file from the request's page in the staff console, after saying why you need to "
        "see the citizen's details."
    ),
)

#: The extension a downloaded file is saved with when it has no name of its own.
_EXTENSIONS: Mapping[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
}


def _disposition(filename: str | None, content_type: str) -> str:
    """`attachment` (never shown inline), with the file's name: an ASCII fallback and the
    name itself in UTF-8 (RFC 6266)."""
    name = filename or f"adjunto.{_EXTENSIONS.get(content_type, 'bin')}"
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_"
        for c in unicodedata.normalize("NFKD", name)
        if not unicodedata.combining(c)
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


BAD_FORM = ErrorPage(
    400,
    N_("The form could not be read"),
    N_(
        "What was sent is not what this page's form sends: for example, more files than "
        "it takes. Go back, check your answers and send the form again."
    ),
)

NOT_ONLINE = ErrorPage(
    404,
    N_("This service cannot be requested online"),
    N_(
        "This local government does not take requests for this service on PLANASMUN. "
        "Its page says where and how you can do it."
    ),
)


def _display_answer(draft: forms.Draft, field: forms.RequestField) -> str:
    """An answer as the check page shows it: choice keys become their names."""
    values = [v.strip() for v in draft.chosen(field.code) if v.strip()]
    if field.choices:
        names = dict(field.choices)
        return ", ".join(names.get(v, v) for v in values)
    return ", ".join(values)


def request_routes(schema: strawberry.Schema, renderer: Renderer) -> list[BaseRoute]:
    return RequestPages(schema, renderer).routes()


__all__ = ["RequestPages", "local_service_id", "normalise_number", "request_routes"]
