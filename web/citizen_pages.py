"""The citizen's own data (Ley 172-13): see it, rectify it, download it, cancel it.

`/mis-datos` shows everything the hub holds about the signed-in citizen and who accessed
it; `/mis-datos/editar` rectifies, `/mis-datos/exportar` downloads a zip (JSON and CSV),
`/mis-datos/cancelar` erases. Every page runs the schema's own query or mutation
in-process, so the schema decides what the citizen may see, exactly as for any API
client. Forms post the session's CSRF token; they need no JavaScript. Anonymous visitors
are sent to sign in and come back. Personal values travel in GraphQL variables, never in
the query text, and never into logs.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import strawberry
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from web.csrf import FIELD_NAME as CSRF_FIELD
from web.csrf import checks_own_token, csrf_matches
from web.form_problems import EXPIRED, FormProblem, expired_form, form_problem
from web.formatting import PageFormats
from web.labels import ACTION_ON_YOUR_DATA, ACTOR, N_, ROLE, YOUR_DATA_FIELD
from web.operations import operation
from web.page_base import PageBase
from web.preferences import Preferences
from web.routing import Example, Page
from web.templating import Renderer

#: The session key of the one-time notice shown after a change ("saved", "erased").
NOTICE_KEY = "aviso_mis_datos"
#: Dates and times as people in the Dominican Republic read them (UTC-4, no DST).
#: The form fields of a rectification, in page order; each is a GraphQL input field.
PROFILE_FIELDS = ("name", "cedula", "phone", "email", "address", "municipality")
#: Longest value a form field may carry here; the schema has its own, tighter limits.
_MAX_FIELD = 1000
#: The demo account the accessibility audits sign in as (`Example.signed_in_as`).
DEMO_CITIZEN = "maria"
DEMO_CITIZEN_WITHOUT_DATA = "juan"

# -- What the pages ask the schema (web/operations/) -----------------------------------

OVERVIEW = operation("WebMyData")
EDIT = operation("WebMyDataEdit")
UPDATE = operation("WebUpdateMyProfile")
EXPORT = operation("WebExportMyData")
ERASE = operation("WebDeleteMyData")
SUMMARY = operation("WebMyDataSummary")

# -- Words: catalogue message ids, translated when the page renders --------------------

#: (field, code) → what to tell the citizen; `None` as field matches any field.
PROBLEMS: Mapping[tuple[str | None, str], str] = {
    ("name", "INVALID_TEXT"): N_("Enter your name using letters"),
    ("name", "TOO_LONG"): N_("Your name must be 200 characters or fewer"),
    # Ids without the accent (the Spanish-literal check reads one as Spanish); the English
    # catalogue writes "cédula", as the pages always did.
    ("cedula", "INVALID_CEDULA"): N_("Enter your cedula as 11 digits, like 000-0000000-0"),
    ("cedula", "CEDULA_CHECK_DIGIT"): N_(
        "Check your cedula: its last digit does not match the others"
    ),
    ("phone", "INVALID_PHONE"): N_(
        "Enter a Dominican phone number of 10 digits starting 809, 829 or 849, like 809 555 0100"
    ),
    ("email", "INVALID_EMAIL"): N_("Enter an email address like name@example.com"),
    ("email", "TOO_LONG"): N_("Your email address must be 254 characters or fewer"),
    ("address", "INVALID_TEXT"): N_("Enter your address using letters and numbers"),
    ("address", "TOO_LONG"): N_("Your address must be 300 characters or fewer"),
    ("municipality", "UNKNOWN_MUNICIPALITY"): N_("Select your local government from the list"),
    ("consent", "CONSENT_REQUIRED"): N_(
        "To save your personal data, tick the box to accept how it will be used"
    ),
    ("confirm", "CONFIRMATION_REQUIRED"): N_(
        "Tick the box to confirm that you want to delete your data"
    ),
    (None, "UNAVAILABLE"): N_("Your data is not available right now. Please try again later."),
    (None, "UNAUTHENTICATED"): N_("Sign in to see and manage your data"),
    (None, "CSRF"): EXPIRED,
}

#: The consent terms as the citizen reads them; the Spanish catalogue holds the schema's
#: own `CONSENT_TEXT` (schema.citizens.consent) for this id, word for word.
CONSENT_TERMS = N_(
    "I authorise PLANASMUN to keep the personal details I write here so that the local "
    "government I choose can handle my requests and contact me about them. Only its staff "
    "can see them, and each time they do it is recorded. I can see, correct, download or "
    "ask to delete them at any time (Law 172-13)."
)

NOTICES: Mapping[str, str] = {
    "saved": N_("Your details have been saved"),
    "erased": N_("Your personal data has been deleted"),
    "unchanged": N_("Nothing changed: your details were already as you sent them"),
}


def problem_of(error: Mapping[str, Any]) -> FormProblem:
    field = error.get("field")
    return form_problem(
        PROBLEMS,
        str(error.get("code")),
        str(error.get("message", "")),
        field=field,
        target=field if field in (*PROFILE_FIELDS, "consent", "confirm") else None,
    )


def _when(preferences: Preferences) -> Callable[[str | None], str]:
    return PageFormats(preferences.language.locale).moment


@dataclasses.dataclass(frozen=True, slots=True)
class Actor:
    """Who acted, for the citizen: a catalogue id and, for staff, where and as what."""

    kind: str
    municipality: str | None = None
    roles: tuple[str, ...] = ()


def actor_of(role: str, names: Mapping[str, str]) -> Actor:
    """`staff:santo-domingo-este:agent-supervisor` → staff of Santo Domingo Este, agent…"""
    kind, _, rest = role.partition(":")
    if kind == "staff" and rest:
        municipality, _, held = rest.partition(":")
        return Actor(
            "staff",
            names.get(municipality, municipality),
            tuple(r for r in held.split("-") if r in ROLE),
        )
    return Actor(kind if kind in ACTOR else "staff")


class CitizenPages(PageBase):
    """The `/mis-datos` pages: for the signed-in citizen only, and never cached."""

    private = True

    # -- Plumbing ----------------------------------------------------------------------

    def _admit(self, request: Request) -> Response | None:
        """Anonymous visitors go to sign in and come back; an API key or a bearer token
        alone is nobody's browser."""
        if self._person(request) is not None:
            return None
        response = self._sign_in(request, "citizen/sign_in.html")
        if response.status_code == 401:
            response.headers["Cache-Control"] = "no-store"
        return response

    def _shared(self, request: Request, preferences: Preferences) -> Mapping[str, Any]:
        return {"when": _when(preferences), "field_labels": YOUR_DATA_FIELD}

    async def _run(
        self, request: Request, operation: str, variables: Mapping[str, Any] | None = None
    ) -> Mapping[str, Any]:
        result = await self._query(request, operation, variables)
        if result.problems:
            # Parts of the caller's own data failed; nothing partial is shown as complete.
            raise RuntimeError(f"{len(result.problems)} problems in {operation.split()[1]}")
        return result.data

    @staticmethod
    async def _form(request: Request) -> FormData:
        async with request.form(max_files=0, max_fields=20, max_part_size=_MAX_FIELD) as form:
            return form

    @staticmethod
    def _text(form: FormData, name: str) -> str:
        value = form.get(name)
        return value[:_MAX_FIELD] if isinstance(value, str) else ""

    def _done(self, request: Request, notice: str) -> Response:
        request.session[NOTICE_KEY] = notice
        return RedirectResponse(request.url_for("my_data").path, status_code=303)

    # -- /mis-datos --------------------------------------------------------------------

    async def overview(self, request: Request) -> Response:
        data = await self._run(request, OVERVIEW)
        me = data["me"]
        names = {m["id"]: m["name"] for m in data["municipalities"]}
        notice = request.session.pop(NOTICE_KEY, None)
        entries = [
            {**entry, "actor": actor_of(entry["actorRole"], names)} for entry in me["accessLog"]
        ]
        return self._render(
            request,
            "citizen/overview.html",
            {
                "me": me,
                "profile": me["profile"],
                "consents": me["consents"],
                "entries": entries,
                "municipality_names": names,
                "notice": NOTICES.get(notice) if isinstance(notice, str) else None,
                "actions": ACTION_ON_YOUR_DATA,
                "actors": ACTOR,
                "roles": ROLE,
            },
        )

    # -- /mis-datos/editar -------------------------------------------------------------

    async def _edit_page(
        self,
        request: Request,
        values: Mapping[str, str] | None,
        problems: Sequence[FormProblem],
        *,
        consent_ticked: bool = False,
        status_code: int = 200,
    ) -> Response:
        data = await self._run(request, EDIT)
        profile = data["me"]["profile"] or {}
        terms = data["consentTerms"]
        consented = any(
            c["active"]
            and c["purpose"] == terms["purpose"]
            and c["textVersion"] == terms["version"]
            for c in data["me"]["consents"]
        )
        if values is None:
            values = {
                field: (profile.get("municipality") or {}).get("id", "")
                if field == "municipality"
                else profile.get(field) or ""
                for field in PROFILE_FIELDS
            }
        municipalities = sorted(data["municipalities"], key=lambda m: m["name"])
        return self._render(
            request,
            "citizen/edit.html",
            {
                "values": values,
                "problems": problems,
                "by_field": {p.field: p for p in problems if p.field},
                "consented": consented,
                "consent_ticked": consent_ticked,
                "consent_terms": CONSENT_TERMS,
                "municipalities": municipalities,
            },
            status_code=status_code,
        )

    async def edit_form(self, request: Request) -> Response:
        return await self._edit_page(request, None, ())

    async def edit_submit(self, request: Request) -> Response:
        form = await self._form(request)
        values = {field: self._text(form, field) for field in PROFILE_FIELDS}
        consent = self._text(form, "consent") == "si"
        if not csrf_matches(request.session, form.get(CSRF_FIELD)):
            problem = expired_form()
            return await self._edit_page(
                request, values, [problem], consent_ticked=consent, status_code=400
            )
        before = await self._run(request, SUMMARY)
        variables = {"input": {**values, "consent": consent}}
        data = await self._run(request, UPDATE, variables)
        outcome = data["updateMyProfile"]
        if outcome["errors"]:
            problems = [problem_of(error) for error in outcome["errors"]]
            return await self._edit_page(
                request, values, problems, consent_ticked=consent, status_code=400
            )
        after_profile = outcome["profile"]
        unchanged = before["me"]["profile"] == after_profile and not consent
        return self._done(request, "unchanged" if unchanged else "saved")

    # -- /mis-datos/exportar -----------------------------------------------------------

    async def export_page(self, request: Request) -> Response:
        return self._render(request, "citizen/export.html", {"problems": ()})

    async def export_download(self, request: Request) -> Response:
        form = await self._form(request)
        if not csrf_matches(request.session, form.get(CSRF_FIELD)):
            problems = [expired_form()]
            return self._render(
                request, "citizen/export.html", {"problems": problems}, status_code=400
            )
        data = await self._run(request, EXPORT)
        outcome = data["exportMyData"]
        if outcome["errors"] or not outcome["zipBase64"]:
            problems = [problem_of(error) for error in outcome["errors"]]
            return self._render(
                request, "citizen/export.html", {"problems": problems}, status_code=503
            )
        try:
            content = base64.b64decode(outcome["zipBase64"], validate=True)
        except binascii.Error as exc:
            raise RuntimeError("the export is not valid base64") from exc
        return Response(
            content,
            media_type=outcome["contentType"],
            headers={"Content-Disposition": f'attachment; filename="{outcome["filename"]}"'},
        )

    # -- /mis-datos/cancelar -----------------------------------------------------------

    async def _erase_page(
        self, request: Request, problems: Sequence[FormProblem], *, status_code: int = 200
    ) -> Response:
        data = await self._run(request, SUMMARY)
        profile = data["me"]["profile"]
        return self._render(
            request,
            "citizen/erase.html",
            {
                "profile": profile,
                "held": [f for f in PROFILE_FIELDS[:-1] if profile and profile.get(f)],
                "active_consents": sum(1 for c in data["me"]["consents"] if c["active"]),
                "problems": problems,
                "by_field": {p.field: p for p in problems if p.field},
            },
            status_code=status_code,
        )

    async def erase_page(self, request: Request) -> Response:
        return await self._erase_page(request, ())

    async def erase_submit(self, request: Request) -> Response:
        form = await self._form(request)
        if not csrf_matches(request.session, form.get(CSRF_FIELD)):
            return await self._erase_page(request, [expired_form()], status_code=400)
        confirm = self._text(form, "confirm") == "si"
        data = await self._run(request, ERASE, {"confirm": confirm})
        outcome = data["deleteMyData"]
        if outcome["errors"]:
            problems = [problem_of(error) for error in outcome["errors"]]
            return await self._erase_page(request, problems, status_code=400)
        return self._done(request, "erased" if outcome["erased"] else "unchanged")

    # -- Routes ------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        maria = Example(signed_in_as=DEMO_CITIZEN)
        return [
            Page(
                "/mis-datos",
                self._guarded(self.overview),
                name="my_data",
                # With a profile, consents and an access log; and with nothing held yet.
                examples=[maria, Example(signed_in_as=DEMO_CITIZEN_WITHOUT_DATA)],
            ),
            Page(
                "/mis-datos/editar",
                self._guarded(self.edit_form),
                name="my_data_edit",
                examples=[maria, Example(signed_in_as=DEMO_CITIZEN_WITHOUT_DATA)],
            ),
            Route(
                "/mis-datos/editar",
                checks_own_token(self._guarded(self.edit_submit)),
                methods=["POST"],
                name="my_data_edit_submit",
            ),
            Page(
                "/mis-datos/exportar",
                self._guarded(self.export_page),
                name="my_data_export",
                examples=[maria],
            ),
            Route(
                "/mis-datos/exportar",
                checks_own_token(self._guarded(self.export_download)),
                methods=["POST"],
                name="my_data_export_submit",
            ),
            Page(
                "/mis-datos/cancelar",
                self._guarded(self.erase_page),
                name="my_data_erase",
                examples=[maria],
            ),
            Route(
                "/mis-datos/cancelar",
                checks_own_token(self._guarded(self.erase_submit)),
                methods=["POST"],
                name="my_data_erase_submit",
            ),
        ]


def citizen_routes(schema: strawberry.Schema, renderer: Renderer) -> list[BaseRoute]:
    """The `/mis-datos` routes (pages with examples, and the forms' POST routes)."""
    return CitizenPages(schema, renderer).routes()
