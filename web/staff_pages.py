"""The staff console: a municipality's request queue, one request, and its audit log.

`/personal` lists the local governments the signed-in staff member works for;
`/personal/<municipality>/solicitudes` is the queue (filters in a GET form, a data table,
overdue requests flagged in words); `/personal/<municipality>/solicitudes/<number>` is one
request: its public part, the citizen's details once the staff member states why they need
them (the schema writes that purpose to the audit log), and the forms that change its
status with a note and assign it to an agent; `/personal/<municipality>/registro` is the
municipality's audit log for its supervisors, and `/personal/<municipality>/envios` the
deliveries the hub gave up on (a request its system could not take, an e-mail refused),
each with a button that retries it once the cause is fixed.

The pages render what the schema answers, in-process: the schema decides who may see and
change what (staff of another municipality get `FORBIDDEN`, and the page says so with a
403). Forms are plain POSTs with the session's CSRF token, answered with a redirect
(post/redirect/get) and a notice in a status region, or with the form again and an error
summary. Nothing here needs JavaScript.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import strawberry
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accessibility import Language
from schema.principal import Principal, StaffRole, principal_from_connection
from web.citizen_pages import actor_of
from web.csrf import FIELD_NAME as CSRF_FIELD
from web.csrf import checks_own_token, csrf_matches
from web.data import Problem, QueryFailed, QueryResult
from web.form_problems import EXPIRED, FormProblem, expired_form, form_problem
from web.formatting import TIME_ZONE, PageFormats
from web.i18n import translations
from web.labels import (
    AUDIT_ACTION,
    DELIVERY_KIND,
    N_,
    RECORD_FIELD,
    RECORD_TYPE,
    ROLE,
    STATUS,
)
from web.operations import operation
from web.page_base import PRIVATE, PageBase
from web.preferences import Preferences, read_preferences
from web.routing import Example, Page
from web.templating import Renderer

#: Dates and times as staff in the Dominican Republic read them (UTC-4, no DST).
#: The session key of the one-time notice after a change (post/redirect/get).
NOTICE_KEY = "aviso_personal"
#: Requests per page of the queue, entries per page of the audit log, failed deliveries
#: per page.
QUEUE_PAGE = 50
AUDIT_PAGE = 50
DELIVERIES_PAGE = 50
#: Longest value a form field may carry here; the schema has its own limits.
_MAX_FIELD = 1000
NOTE_LENGTH = 1000
PURPOSE_LENGTH = 500
AGENT_LENGTH = 200

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: `SDE-2026-000123`: the municipality's short code, the year, the number.
_TRACKING = re.compile(r"^[A-Z0-9]{1,10}-\d{4}-\d{1,10}$")
_AGENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,199}$")
#: An outbox item's id: 32 hex digits.
_ITEM = re.compile(r"^[0-9a-f]{32}$")

#: The demo accounts the accessibility audits sign in as (`Example.signed_in_as`).
DEMO_AGENT = "ana"
DEMO_SUPERVISOR = "pedro"
DEMO_OTHER_AGENT = "carmen"
DEMO_MUNICIPALITY = "santo-domingo-este"
DEMO_SHORT_CODE = "SDE"


def demo_tracking_number(number: int = 1, year: int | None = None) -> str:
    """The demo data's requests (submitted when the demo data is prepared) of this year."""
    return f"{DEMO_SHORT_CODE}-{year or dt.datetime.now(dt.UTC).year}-{number:06d}"


#: The reason the demo agent gives for seeing a citizen's details.
DEMO_PURPOSE = N_("Attend to request %(number)s")


def demo_input(message: str, **values: object) -> str:
    """What the demo's people type, in Spanish as they would type it (a catalogue id)."""
    text = translations(Language.SPANISH).gettext(message)
    return text % values if values else text


# -- What the pages ask the schema (web/operations/) -----------------------------------

HOME = operation("WebStaffHome")
QUEUE = operation("WebStaffQueue")
REQUEST = operation("WebStaffRequest")
CHANGE_STATUS = operation("WebStaffChangeStatus")
ASSIGN = operation("WebStaffAssign")
AUDIT_LOG = operation("WebStaffAuditLog")
DELIVERIES = operation("WebStaffDeliveries")
RETRY_DELIVERY = operation("WebStaffRetryDelivery")

# -- Words: catalogue message ids, translated when the page renders --------------------

OPEN_STATUSES = ("RECIBIDA", "EN_REVISION", "EN_PROCESO")

#: Where a request may go next: the schema's workflow, to offer only what it accepts
#: (the schema refuses anything else anyway).
NEXT_STATUSES: Mapping[str, tuple[str, ...]] = {
    "RECIBIDA": ("EN_REVISION", "RECHAZADA"),
    "EN_REVISION": ("EN_PROCESO", "RECHAZADA"),
    "EN_PROCESO": ("RESUELTA", "RECHAZADA"),
    "RESUELTA": (),
    "RECHAZADA": (),
}

#: The queue's status filter: its values in the URL, and what they select.
STATUS_FILTERS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "abiertas": (N_("Open (not resolved or rejected)"), OPEN_STATUSES),
    "todas": (N_("Any status"), ()),
    **{value.lower(): (label, (value,)) for value, label in STATUS.items()},
}
DEFAULT_STATUS_FILTER = "abiertas"

#: The queue's age filter: days since the request was received.
AGE_FILTERS: Mapping[str, tuple[str, int | None]] = {
    "": (N_("Any age"), None),
    "7": (N_("Received more than 7 days ago"), 7),
    "30": (N_("Received more than 30 days ago"), 30),
}

#: (form field, code) → what to tell the staff member; `None` matches any field.
PROBLEMS: Mapping[tuple[str | None, str], str] = {
    ("estado", "REQUIRED"): N_("Select the new status"),
    ("nota", "NOTE_REQUIRED"): N_("Write the reason for rejecting the request"),
    ("nota", "TOO_LONG"): N_("The note must be 1000 characters or fewer"),
    ("finalidad", "PURPOSE_REQUIRED"): N_(
        "Say why you need to see the citizen's details, in at least 10 characters"
    ),
    # The id without the accent (the Spanish-literal check reads one as Spanish); the
    # English catalogue writes "cédula", as the page always did.
    ("finalidad", "BAD_USER_INPUT"): N_(
        "The reason cannot contain personal data such as a cedula, a phone number or an "
        "email address, and must be 500 characters or fewer"
    ),
    ("agente", "REQUIRED"): N_("Enter the identifier of the agent to assign"),
    ("agente", "INVALID"): N_(
        "Enter the agent's identifier as the identity provider gives it, like demo-personal-0003"
    ),
    (None, "CSRF"): EXPIRED,
}

NOTICES: Mapping[str, str] = {
    "status": N_("The status has been changed. The citizen will be told by email."),
    "assigned": N_("The request has been assigned."),
    "unassigned": N_("The request is no longer assigned to anyone."),
    "retried": N_("The delivery has been put back in the queue and will be tried again now."),
    "not_failed": N_(
        "That delivery was no longer waiting for review: it may have been retried already."
    ),
}

#: Which field of the status form a schema error of the status change is about.
_STATUS_FIELDS = {
    "NOTE_REQUIRED": "nota",
    "BAD_USER_INPUT": "nota",
    "INVALID_TRANSITION": "estado",
}


def problem_of(problem: Problem, field: str | None) -> FormProblem:
    """A schema error on a form: a known code gets the catalogue's words, else the
    schema's Spanish message is shown as it is."""
    return form_problem(PROBLEMS, problem.code or "", problem.message, field=field, target=field)


class Refused(Exception):
    """The schema said FORBIDDEN: the page answers 403."""


class Missing(Exception):
    """No such municipality or request (for this municipality): the page answers 404."""


def _refused(problems: Sequence[Problem]) -> bool:
    return any(p.code in ("FORBIDDEN", "UNAUTHENTICATED") for p in problems)


# -- Dates -----------------------------------------------------------------------------


def days_late(expected_by: str | None, today: dt.date | None = None) -> int:
    """Working or not, the days since the date the service's duration gave."""
    if not expected_by:
        return 0
    today = today or dt.datetime.now(TIME_ZONE).date()
    return max(0, (today - dt.date.fromisoformat(expected_by[:10])).days)


def _roles_in(principal: Principal, municipality_id: str) -> frozenset[StaffRole]:
    return principal.staff_roles.get(municipality_id, frozenset())


def _is_supervisor(principal: Principal, municipality_id: str) -> bool:
    return bool(_roles_in(principal, municipality_id) & {StaffRole.SUPERVISOR, StaffRole.ADMIN})


def _may_read_audit(principal: Principal, municipality_id: str) -> bool:
    return principal.is_national_admin or _is_supervisor(principal, municipality_id)


class StaffPages(PageBase):
    """The `/personal` pages: for signed-in staff, and never cached."""

    private = True

    # -- Plumbing ----------------------------------------------------------------------

    def _admit(self, request: Request) -> Response | None:
        """Signed-out visitors get a sign-in link (a 401 page)."""
        principal = principal_from_connection(request)
        if principal.is_authenticated and "session" in request.scope:
            return None
        response = self._render(request, "staff/sign_in.html", {}, status_code=401)
        response.headers["Cache-Control"] = PRIVATE
        return response

    def _refusal(self, request: Request, error: Exception) -> Response | None:
        """A refusal of the schema is a 403 page, no such thing a 404 page."""
        if isinstance(error, Refused):
            return self._render(request, "staff/forbidden.html", {}, status_code=403)
        if isinstance(error, Missing):
            return self._render(request, "staff/not_found.html", {}, status_code=404)
        return None

    def _shared(self, request: Request, preferences: Preferences) -> Mapping[str, Any]:
        principal = principal_from_connection(request)
        municipality_id = request.path_params.get("municipality")
        return {
            "dates": PageFormats(preferences.language.locale, day_width="long"),
            "statuses": STATUS,
            "field_names": RECORD_FIELD,
            "staff_home": self._staff_home_allowed(principal),
            "audit_allowed": municipality_id is not None
            and _may_read_audit(principal, str(municipality_id)),
            "queue_allowed": municipality_id is not None
            and principal.is_staff_of(str(municipality_id)),
        }

    @staticmethod
    def _staff_home_allowed(principal: Principal) -> bool:
        return bool(principal.municipalities) or principal.is_national_admin

    async def _query(
        self, request: Request, operation: str, variables: Mapping[str, Any] | None = None
    ) -> QueryResult:
        """The operation's result; a refused or invalid non-null root field (no data at
        all, but coded errors) comes back as empty data with its problems."""
        try:
            return await super()._query(request, operation, variables)
        except QueryFailed as failed:
            if failed.problems and all(p.code for p in failed.problems):
                return QueryResult({}, failed.problems)
            raise

    @staticmethod
    def _municipality_param(request: Request) -> str:
        municipality_id = str(request.path_params["municipality"])
        if not _SLUG.match(municipality_id):
            raise Missing
        return municipality_id

    @staticmethod
    def _number_param(request: Request) -> str:
        number = str(request.path_params["number"]).upper()
        if not _TRACKING.match(number):
            raise Missing
        return number

    @staticmethod
    async def _form(request: Request) -> FormData:
        async with request.form(max_files=0, max_fields=20, max_part_size=4 * _MAX_FIELD) as form:
            return form

    @staticmethod
    def _text(form: FormData, name: str, limit: int = _MAX_FIELD) -> str:
        value = form.get(name)
        return value.strip()[: limit + 1] if isinstance(value, str) else ""

    def _detail_url(self, request: Request, municipality_id: str, number: str) -> str:
        return request.url_for("staff_request", municipality=municipality_id, number=number).path

    # -- /personal ---------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        principal = principal_from_connection(request)
        if not self._staff_home_allowed(principal):
            raise Refused
        result = await self._query(request, HOME)
        names = {m["id"]: m for m in result.data.get("municipalities") or []}
        wanted = sorted(names if principal.is_national_admin else principal.municipalities)
        places = [
            {
                "id": municipality_id,
                "name": (names.get(municipality_id) or {}).get("name", municipality_id),
                "roles": sorted(r.value for r in _roles_in(principal, municipality_id)),
                "queue": principal.is_staff_of(municipality_id),
                "audit": _may_read_audit(principal, municipality_id),
            }
            for municipality_id in wanted
        ]
        return self._render(request, "staff/home.html", {"places": places, "roles": ROLE})

    # -- /personal/<municipality>/solicitudes ------------------------------------------

    async def queue(self, request: Request) -> Response:
        municipality_id = self._municipality_param(request)
        params = request.query_params
        status_filter = params.get("estado", DEFAULT_STATUS_FILTER)
        if status_filter not in STATUS_FILTERS:
            status_filter = DEFAULT_STATUS_FILTER
        service = params.get("servicio", "")[:200]
        age = params.get("antiguedad", "")
        if age not in AGE_FILTERS:
            age = ""
        overdue_only = params.get("vencidas") == "si"
        try:
            page_number = max(1, min(int(params.get("pagina", "1")), 10_000))
        except ValueError:
            page_number = 1
        older_than = AGE_FILTERS[age][1]
        variables: dict[str, Any] = {
            "municipality": municipality_id,
            "status": list(STATUS_FILTERS[status_filter][1]) or None,
            "service": service or None,
            "overdueOnly": overdue_only,
            "olderThanDays": older_than,
            # One more than shown: whether there is a next page.
            "first": QUEUE_PAGE + 1,
            "offset": (page_number - 1) * QUEUE_PAGE,
        }
        result = await self._query(request, QUEUE, variables)
        if _refused(result.problems):
            raise Refused
        municipality = result.data.get("municipality")
        if municipality is None:
            raise Missing
        rows = result.data.get("serviceRequestQueue")
        has_next = rows is not None and len(rows) > QUEUE_PAGE
        services = (result.data.get("catalogue") or {}).get("services")
        filters = {
            "estado": status_filter,
            "servicio": service,
            "antiguedad": age,
            "vencidas": "si" if overdue_only else "",
        }

        def page_url(number: int) -> str:
            query = {k: v for k, v in filters.items() if v}
            if number > 1:
                query["pagina"] = str(number)
            path = request.url_for("staff_queue", municipality=municipality_id).path
            return f"{path}?{urlencode(query)}" if query else path

        return self._render(
            request,
            "staff/queue.html",
            {
                "municipality": municipality,
                "rows": None if rows is None else rows[:QUEUE_PAGE],
                "services": services,
                "filters": filters,
                "status_filters": STATUS_FILTERS,
                "age_filters": AGE_FILTERS,
                "filtered": status_filter != DEFAULT_STATUS_FILTER
                or bool(service or age or overdue_only),
                "page_number": page_number,
                "previous_url": page_url(page_number - 1) if page_number > 1 else None,
                "next_url": page_url(page_number + 1) if has_next else None,
                "problems": [p for p in result.problems],
                "days_late": days_late,
            },
        )

    # -- /personal/<municipality>/solicitudes/<number> ---------------------------------

    async def _load_request(
        self, request: Request, municipality_id: str, number: str, purpose: str | None
    ) -> tuple[Mapping[str, Any], list[Problem]]:
        """The request as this staff member may see it, and the problems of revealing
        the citizen's details (a purpose the schema did not take)."""
        variables = {
            "number": number,
            "purpose": purpose,
            "reveal": purpose is not None,
            "language": "EN" if read_preferences(request).language is Language.ENGLISH else "ES",
        }
        result = await self._query(request, REQUEST, variables)
        found = result.data.get("serviceRequest")
        reveal_problems: list[Problem] = []
        if found is None and purpose is not None and not _refused(result.problems):
            # A purpose the schema did not take: the request without the citizen's details.
            reveal_problems = list(result.problems)
            variables = {**variables, "purpose": None, "reveal": False}
            result = await self._query(request, REQUEST, variables)
            found = result.data.get("serviceRequest")
        if found is None:
            if _refused(result.problems):
                raise Refused
            raise Missing
        if (found.get("municipality") or {}).get("id") != municipality_id:
            raise Missing
        # Only staff of the owning municipality see who it is assigned to: the schema's
        # refusal of that field is the refusal of the whole page.
        if _refused(result.problems):
            raise Refused
        return found, reveal_problems + list(result.problems)

    async def _detail_page(
        self,
        request: Request,
        *,
        purpose: str | None = None,
        problems: Sequence[FormProblem] = (),
        values: Mapping[str, str] | None = None,
        status_code: int = 200,
    ) -> Response:
        municipality_id = self._municipality_param(request)
        number = self._number_param(request)
        found, reveal_problems = await self._load_request(request, municipality_id, number, purpose)
        all_problems = list(problems)
        revealed = False
        if purpose is not None:
            if reveal_problems:
                all_problems.extend(problem_of(p, "finalidad") for p in reveal_problems[:1])
                status_code = 400
            else:
                revealed = True
        principal = principal_from_connection(request)
        notice = request.session.pop(NOTICE_KEY, None)
        return self._render(
            request,
            "staff/request.html",
            {
                "r": found,
                "municipality": found["municipality"],
                "revealed": revealed,
                "purpose": purpose or "",
                "problems": all_problems,
                "by_field": {p.field: p for p in all_problems if p.field},
                "values": values or {},
                "next_statuses": NEXT_STATUSES.get(found["status"], ()),
                "may_assign": _is_supervisor(principal, municipality_id),
                "notice": NOTICES.get(notice) if isinstance(notice, str) else None,
                "days_late": days_late(found.get("expectedBy")) if found.get("overdue") else 0,
                "questions": {
                    q["code"]: q["label"]
                    for q in (found.get("service") or {}).get("requestFields") or []
                },
            },
            status_code=status_code,
        )

    async def request_detail(self, request: Request) -> Response:
        raw = request.query_params.get("finalidad")
        purpose = None if raw is None else " ".join(raw.split())[: PURPOSE_LENGTH + 1]
        return await self._detail_page(request, purpose=purpose)

    def _done(self, request: Request, notice: str) -> Response:
        request.session[NOTICE_KEY] = notice
        url = self._detail_url(
            request, self._municipality_param(request), self._number_param(request)
        )
        return RedirectResponse(url, status_code=303)

    async def change_status(self, request: Request) -> Response:
        self._municipality_param(request)
        number = self._number_param(request)
        form = await self._form(request)
        status = self._text(form, "estado")
        note = self._text(form, "nota", NOTE_LENGTH)
        values = {"estado": status, "nota": note}
        problems: list[FormProblem] = []
        if not csrf_matches(request.session, form.get(CSRF_FIELD)):
            problems.append(expired_form())
        if status not in STATUS:
            problems.append(FormProblem("estado", PROBLEMS[("estado", "REQUIRED")]))
        if len(note) > NOTE_LENGTH:
            problems.append(FormProblem("nota", PROBLEMS[("nota", "TOO_LONG")]))
        elif status == "RECHAZADA" and not note:
            problems.append(FormProblem("nota", PROBLEMS[("nota", "NOTE_REQUIRED")]))
        if problems:
            return await self._detail_page(
                request, problems=problems, values=values, status_code=400
            )
        variables = {"number": number, "status": status, "note": note or None}
        result = await self._query(request, CHANGE_STATUS, variables)
        if result.data.get("changeServiceRequestStatus") is None:
            if _refused(result.problems):
                raise Refused
            problems = [problem_of(p, _STATUS_FIELDS.get(p.code or "")) for p in result.problems]
            return await self._detail_page(
                request, problems=problems, values=values, status_code=400
            )
        return self._done(request, "status")

    async def assign(self, request: Request) -> Response:
        self._municipality_param(request)
        number = self._number_param(request)
        form = await self._form(request)
        remove = self._text(form, "accion") == "quitar"
        agent = self._text(form, "agente", AGENT_LENGTH)
        values = {"agente": agent}
        problems: list[FormProblem] = []
        if not csrf_matches(request.session, form.get(CSRF_FIELD)):
            problems.append(expired_form())
        if not remove and not agent:
            problems.append(FormProblem("agente", PROBLEMS[("agente", "REQUIRED")]))
        elif not remove and not _AGENT.match(agent):
            problems.append(FormProblem("agente", PROBLEMS[("agente", "INVALID")]))
        if problems:
            return await self._detail_page(
                request, problems=problems, values=values, status_code=400
            )
        variables = {"number": number, "agent": None if remove else agent}
        result = await self._query(request, ASSIGN, variables)
        if result.data.get("assignServiceRequest") is None:
            if _refused(result.problems):
                raise Refused
            problems = [problem_of(p, "agente") for p in result.problems]  # BAD_USER_INPUT
            return await self._detail_page(
                request, problems=problems, values=values, status_code=400
            )
        return self._done(request, "unassigned" if remove else "assigned")

    # -- /personal/<municipality>/registro ---------------------------------------------

    async def audit_log(self, request: Request) -> Response:
        municipality_id = self._municipality_param(request)
        try:
            before: int | None = int(request.query_params.get("antes", ""))
        except ValueError:
            before = None
        if before is not None and before < 1:
            before = None
        variables = {"municipality": municipality_id, "first": AUDIT_PAGE, "before": before}
        result = await self._query(request, AUDIT_LOG, variables)
        if _refused(result.problems):
            raise Refused
        municipality = result.data.get("municipality")
        log_page = result.data.get("municipalityAuditLog")
        if municipality is None:
            raise Missing
        names = {m["id"]: m["name"] for m in result.data.get("municipalities") or []}
        entries = [
            {**entry, "who": actor_of(entry["actorRole"], names)}
            for entry in (log_page or {}).get("entries", [])
        ]
        next_url = None
        if log_page and log_page.get("nextBefore"):
            path = request.url_for("staff_audit_log", municipality=municipality_id).path
            next_url = f"{path}?{urlencode({'antes': log_page['nextBefore']})}"
        return self._render(
            request,
            "staff/audit_log.html",
            {
                "municipality": municipality,
                "entries": entries if log_page is not None else None,
                "older": before is not None,
                "next_url": next_url,
                "first_url": request.url_for("staff_audit_log", municipality=municipality_id).path,
                "actions": AUDIT_ACTION,
                "record_types": RECORD_TYPE,
                "roles": ROLE,
                "problems": result.problems,
            },
        )

    # -- /personal/<municipality>/envios -----------------------------------------------

    async def deliveries(self, request: Request) -> Response:
        return await self._deliveries_page(request)

    async def _deliveries_page(
        self, request: Request, *, problems: Sequence[FormProblem] = (), status_code: int = 200
    ) -> Response:
        municipality_id = self._municipality_param(request)
        try:
            page_number = max(1, min(int(request.query_params.get("pagina", "1")), 200))
        except ValueError:
            page_number = 1
        variables = {
            "municipality": municipality_id,
            # One more than shown: whether there is a next page.
            "first": DELIVERIES_PAGE + 1,
            "offset": (page_number - 1) * DELIVERIES_PAGE,
            "language": "EN" if read_preferences(request).language is Language.ENGLISH else "ES",
        }
        result = await self._query(request, DELIVERIES, variables)
        if _refused(result.problems):
            raise Refused
        municipality = result.data.get("municipality")
        if municipality is None:
            raise Missing
        rows = result.data.get("failedDeliveries")
        path = request.url_for("staff_deliveries", municipality=municipality_id).path

        def page_url(number: int) -> str:
            return f"{path}?{urlencode({'pagina': number})}" if number > 1 else path

        notice = request.session.pop(NOTICE_KEY, None)
        return self._render(
            request,
            "staff/deliveries.html",
            {
                "municipality": municipality,
                "rows": None if rows is None else rows[:DELIVERIES_PAGE],
                "kinds": DELIVERY_KIND,
                "page_number": page_number,
                "previous_url": page_url(page_number - 1) if page_number > 1 else None,
                "next_url": page_url(page_number + 1)
                if rows is not None and len(rows) > DELIVERIES_PAGE
                else None,
                "notice": NOTICES.get(notice) if isinstance(notice, str) else None,
                "problems": list(problems),
                "load_problems": [p for p in result.problems if p.code != "DELIVERY_NOT_FAILED"],
            },
            status_code=status_code,
        )

    async def retry_delivery(self, request: Request) -> Response:
        municipality_id = self._municipality_param(request)
        item_id = str(request.path_params["item"])
        if not _ITEM.match(item_id):
            raise Missing
        form = await self._form(request)
        if not csrf_matches(request.session, form.get(CSRF_FIELD)):
            problem = expired_form()
            return await self._deliveries_page(request, problems=[problem], status_code=400)
        variables = {"municipality": municipality_id, "id": item_id}
        result = await self._query(request, RETRY_DELIVERY, variables)
        if result.data.get("retryDelivery") is None:
            if _refused(result.problems):
                raise Refused
            if not any(p.code == "DELIVERY_NOT_FAILED" for p in result.problems):
                problems = [problem_of(p, None) for p in result.problems]
                return await self._deliveries_page(request, problems=problems, status_code=400)
            notice = "not_failed"  # retried meanwhile (another tab, another supervisor)
        else:
            notice = "retried"
        request.session[NOTICE_KEY] = notice
        url = request.url_for("staff_deliveries", municipality=municipality_id).path
        return RedirectResponse(url, status_code=303)

    # -- Routes ------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        sde = {"municipality": DEMO_MUNICIPALITY}
        first = {**sde, "number": demo_tracking_number(1)}
        return [
            Page(
                "/personal",
                self._guarded(self.home),
                name="staff_home",
                examples=[
                    Example(signed_in_as=DEMO_SUPERVISOR),
                    Example(signed_in_as=DEMO_AGENT),
                    Example(status=401),
                    Example(status=403, signed_in_as="maria"),
                ],
            ),
            Page(
                "/personal/{municipality}/solicitudes",
                self._guarded(self.queue),
                name="staff_queue",
                examples=[
                    Example(sde, signed_in_as=DEMO_AGENT),
                    Example(
                        sde,
                        {"estado": "todas", "antiguedad": "7", "vencidas": "si"},
                        signed_in_as=DEMO_SUPERVISOR,
                    ),
                    Example(sde, status=403, signed_in_as=DEMO_OTHER_AGENT),
                ],
            ),
            Page(
                "/personal/{municipality}/solicitudes/{number}",
                self._guarded(self.request_detail),
                name="staff_request",
                examples=[
                    Example(first, signed_in_as=DEMO_SUPERVISOR),
                    Example(
                        first,
                        {"finalidad": demo_input(DEMO_PURPOSE, number=first["number"])},
                        signed_in_as=DEMO_AGENT,
                    ),
                    Example(first, {"finalidad": "x"}, status=400, signed_in_as=DEMO_AGENT),
                    Example(first, status=403, signed_in_as=DEMO_OTHER_AGENT),
                    Example(
                        {**sde, "number": demo_tracking_number(999_999)},
                        status=404,
                        signed_in_as=DEMO_AGENT,
                    ),
                ],
            ),
            Route(
                "/personal/{municipality}/solicitudes/{number}/estado",
                checks_own_token(self._guarded(self.change_status)),
                methods=["POST"],
                name="staff_request_status",
            ),
            Route(
                "/personal/{municipality}/solicitudes/{number}/asignacion",
                checks_own_token(self._guarded(self.assign)),
                methods=["POST"],
                name="staff_request_assign",
            ),
            Page(
                "/personal/{municipality}/registro",
                self._guarded(self.audit_log),
                name="staff_audit_log",
                examples=[
                    Example(sde, signed_in_as=DEMO_SUPERVISOR),
                    Example(sde, status=403, signed_in_as=DEMO_AGENT),
                ],
            ),
            Page(
                "/personal/{municipality}/envios",
                self._guarded(self.deliveries),
                name="staff_deliveries",
                examples=[
                    # The demo data holds a failed e-mail of the first demo request.
                    Example(sde, signed_in_as=DEMO_SUPERVISOR),
                    Example(sde, status=403, signed_in_as=DEMO_AGENT),
                ],
            ),
            Route(
                "/personal/{municipality}/envios/{item}/reintento",
                checks_own_token(self._guarded(self.retry_delivery)),
                methods=["POST"],
                name="staff_delivery_retry",
            ),
        ]


def staff_routes(schema: strawberry.Schema, renderer: Renderer) -> list[BaseRoute]:
    """The `/personal` routes (pages with examples, and the forms' POST routes)."""
    return StaffPages(schema, renderer).routes()
