"""The staff console over real HTTP, signed in through the bundled OpenID provider's form:
the queue and its filters, a request's detail (personal data only with a stated purpose,
audited), status changes with a note (post/redirect/get, error summary, CSRF), assignment
by a supervisor, the audit log and the failed deliveries (with their retry) for
supervisors, and refusals for everyone else.

Ana is an agent and Pedro a supervisor of Santo Domingo Este; Carmen is an agent of
Santiago; María is a citizen. The requests are submitted by María through GraphQL; one is
written into the hub store as if received two months ago, so that it is overdue.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest
from lxml.html import HtmlElement

from demo import identity_provider
from demo.identity_provider import ProviderHandle
from store.outbox import OutboxKind
from store.requests import NewRequest, RequestStore
from store.store import create_engine
from tests.identity.support import CLIENT_SECRET
from tests.privacy.personal_values import MARIA
from tests.privacy.support import PrivacyHub, graphql, privacy_hub, sign_in
from tests.web.htmltools import parse, text_of, texts
from tests.web.staff_support import (
    DEMO_ADDRESS,
    DEMO_DESCRIPTION,
    submit_request,
    write_failed_delivery,
)

SDE = "santo-domingo-este"
SPANISH = {"Accept-Language": "es-DO", "Accept": "text/html"}
PURPOSE = "Atender la solicitud para programar la brigada"

QUEUE_ROW = """
query Row($m: ID!) { serviceRequestQueue(municipalityId: $m, status: [RECIBIDA]) {
  trackingNumber serviceId serviceName } }
"""


@pytest.fixture(scope="module")
def provider() -> Iterator[ProviderHandle]:
    with identity_provider.running(client_secret=CLIENT_SECRET) as handle:
        yield handle


def _overdue_request(database_url: str, service_id: str, service_name: str) -> str:
    """A request of Santo Domingo Este written as the store would have two months ago."""

    async def write() -> str:
        engine = create_engine(database_url)
        try:
            long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=60)
            store = RequestStore(engine, now=lambda: long_ago)
            submitted = await store.submit(
                NewRequest(
                    municipality_id=SDE,
                    short_code="SDE",
                    service_id=service_id,
                    service_name=service_name,
                    citizen_subject=MARIA.subject,
                    description="Solicitud antigua de prueba",
                    duration_days=5,
                    deliver=False,
                    notify=False,
                )
            )
            return submitted.request.tracking_number
        finally:
            await engine.dispose()

    return asyncio.run(write())


class Console:
    """The hub with María's requests: `fresh` (received today), `worked` (for status
    changes), `assigned` (for assignment) and `overdue` (received two months ago)."""

    def __init__(self, hub: PrivacyHub) -> None:
        self.hub = hub
        maria = hub.token("maria")
        with hub.client() as client:
            self.fresh = submit_request(client, SDE, token=maria)
            self.worked = submit_request(client, SDE, token=maria)
            self.assigned = submit_request(client, SDE, token=maria)
            self.santiago = submit_request(client, "santiago", token=hub.token("juan"))
            rows = graphql(client, QUEUE_ROW, token=hub.token("ana"), m=SDE)
        row = rows["data"]["serviceRequestQueue"][0]
        self.service_id = row["serviceId"]
        self.service_name = row["serviceName"]
        self.overdue = _overdue_request(hub.database_url, self.service_id, self.service_name)

    @contextlib.contextmanager
    def browser(self, username: str | None) -> Iterator[httpx.Client]:
        """Like a browser: asks for HTML in Spanish, keeps cookies, signed in as
        `username` through the provider's form; redirects are followed by hand."""
        with httpx.Client(base_url=self.hub.url, headers=SPANISH, timeout=10) as client:
            if username is not None:
                sign_in(client, username)
            yield client


@pytest.fixture(scope="module")
def console(
    provider: ProviderHandle, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Console]:
    with privacy_hub(tmp_path_factory.mktemp("staff-console"), provider) as hub:
        hub.write_profile(MARIA)
        yield Console(hub)


@pytest.fixture(scope="module")
def ana(console: Console) -> Iterator[httpx.Client]:
    with console.browser("ana") as client:
        yield client


@pytest.fixture(scope="module")
def pedro(console: Console) -> Iterator[httpx.Client]:
    with console.browser("pedro") as client:
        yield client


@pytest.fixture(scope="module")
def carmen(console: Console) -> Iterator[httpx.Client]:
    with console.browser("carmen") as client:
        yield client


def _page(client: httpx.Client, url: str, status: int = 200) -> HtmlElement:
    response = client.get(url)
    assert response.status_code == status, response.text[:500]
    assert response.headers["cache-control"] == "private, no-store"
    return parse(response.text)


def _queue(municipality: str = SDE, **filters: str) -> str:
    path = f"/personal/{municipality}/solicitudes"
    return f"{path}?{urlencode(filters)}" if filters else path


def _detail(number: str, **query: str) -> str:
    path = f"/personal/{SDE}/solicitudes/{number}"
    return f"{path}?{urlencode(query)}" if query else path


def _numbers(page: HtmlElement) -> list[str]:
    return texts(page, "//main//table/tbody/tr/th[@scope='row']")


def _csrf(page: HtmlElement) -> str:
    (token,) = page.xpath("(//main//form[@method='post'])[1]//input[@name='csrf_token']/@value")
    return str(token)


def _main(page: HtmlElement) -> str:
    return text_of(page.xpath("//main")[0])


# -- Who may come in -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/personal",
        _queue(),
        f"/personal/{SDE}/registro",
        f"/personal/{SDE}/solicitudes/SDE-2026-000001",
    ],
)
def test_a_signed_out_visitor_gets_a_sign_in_link(console: Console, path: str) -> None:
    with console.browser(None) as visitor:
        page = _page(visitor, path, status=401)
    (link,) = page.xpath("//main//a[starts-with(@href, '/entrar')]/@href")
    assert "siguiente=" in link
    assert "Inicie sesión" in text_of(page.xpath("//h1")[0])


def test_staff_home_lists_the_municipalities_and_what_each_role_may_open(
    ana: httpx.Client, pedro: httpx.Client
) -> None:
    agent = _page(ana, "/personal")
    assert agent.xpath("//main//a/@href") == [_queue()]
    assert "Santo Domingo Este" in _main(agent)
    supervisor = _page(pedro, "/personal")
    assert supervisor.xpath("//main//a/@href") == [
        _queue(),
        f"/personal/{SDE}/registro",
        f"/personal/{SDE}/envios",
    ]


def test_a_citizen_is_refused_in_plain_spanish(console: Console) -> None:
    with console.browser("maria") as maria:
        page = _page(maria, "/personal", status=403)
        assert text_of(page.xpath("//h1")[0]) == "No tiene acceso a esta página"
        _page(maria, _queue(), status=403)


def test_the_header_leads_staff_to_their_console(console: Console, ana: httpx.Client) -> None:
    header = "//header//a[@href='/personal']"
    assert texts(_page(ana, "/mis-datos"), header) == ["Consola de personal"]
    with console.browser("maria") as maria:
        assert _page(maria, "/mis-datos").xpath(header) == []


# -- The queue -------------------------------------------------------------------------


def test_the_queue_is_a_data_table_with_caption_and_header_cells(
    console: Console, ana: httpx.Client
) -> None:
    page = _page(ana, _queue())
    (table,) = page.xpath("//main//table")
    assert table.xpath("./caption") and "solicitudes" in text_of(table.xpath("./caption")[0])
    headers = texts(table, "./thead/tr/th[@scope='col']")
    assert headers == ["Número", "Servicio", "Estado", "Recibida", "Plazo", "Asignada a"]
    numbers = _numbers(page)
    # Open requests, oldest first: the overdue one leads; Santiago's is not there.
    assert numbers[0] == console.overdue
    assert {console.fresh, console.worked, console.assigned} <= set(numbers)
    assert console.santiago not in numbers
    link = page.xpath(f"//main//table//a[text()='{console.fresh}']/@href")
    assert link == [_detail(console.fresh)]
    # Nothing personal in the queue.
    assert DEMO_DESCRIPTION not in page.text_content()
    assert DEMO_ADDRESS not in page.text_content()


def test_overdue_requests_are_flagged_in_words(console: Console, ana: httpx.Client) -> None:
    page = _page(ana, _queue())
    overdue_row = page.xpath(f"//main//table/tbody/tr[th[normalize-space()='{console.overdue}']]")[
        0
    ]
    assert "Vencida" in text_of(overdue_row)
    assert "días de retraso" in text_of(overdue_row)
    fresh_row = page.xpath(f"//main//table/tbody/tr[th[normalize-space()='{console.fresh}']]")[0]
    assert "Vencida" not in text_of(fresh_row)


def test_the_filters_are_a_get_form_that_narrows_the_queue(
    console: Console, ana: httpx.Client
) -> None:
    page = _page(ana, _queue())
    (form,) = page.xpath("//main//form[@method='get']")
    names = set(form.xpath(".//select/@name | .//input/@name"))
    assert {"estado", "servicio", "antiguedad", "vencidas"} <= names
    for control in form.xpath(".//select | .//input[@type!='hidden']"):
        assert page.xpath(f"//label[@for='{control.get('id')}']"), control.get("id")

    overdue = _page(ana, _queue(vencidas="si"))
    assert _numbers(overdue) == [console.overdue]
    older = _page(ana, _queue(antiguedad="30"))
    assert _numbers(older) == [console.overdue]
    resolved = _page(ana, _queue(estado="resuelta"))
    assert resolved.xpath("//main//table") == []
    assert "Ninguna solicitud" in _main(resolved)
    by_service = _page(ana, _queue(servicio=console.service_id, estado="todas"))
    assert console.overdue in _numbers(by_service)
    # The chosen filters stay chosen.
    assert by_service.xpath("//select[@name='estado']/option[@selected]/@value") == ["todas"]


def test_staff_of_another_municipality_are_refused(console: Console, carmen: httpx.Client) -> None:
    before = len(console.hub.audit())
    urls = (_queue(), _detail(console.fresh), _detail(console.fresh, finalidad=PURPOSE))
    for url in (*urls, f"/personal/{SDE}/registro"):
        page = _page(carmen, url, status=403)
        assert text_of(page.xpath("//h1")[0]) == "No tiene acceso a esta página"
        assert DEMO_DESCRIPTION not in page.text_content()
    # The schema refused, and wrote down each attempt.
    refused = [e for e in console.hub.audit()[before:] if e.action == "access_denied"]
    assert len(refused) >= 4
    assert {(e.actor, e.municipality_id) for e in refused} == {("demo-personal-0005", SDE)}
    # Carmen's own municipality works.
    assert console.santiago in _numbers(_page(carmen, _queue("santiago")))


# -- One request -----------------------------------------------------------------------


def test_the_detail_shows_personal_data_only_with_a_purpose_which_is_audited(
    console: Console, ana: httpx.Client
) -> None:
    before = len(console.hub.audit())
    plain = _page(ana, _detail(console.fresh))
    assert DEMO_DESCRIPTION not in plain.text_content()
    assert plain.xpath("//main//form[@method='get']//input[@name='finalidad']")
    assert len(console.hub.audit()) == before

    shown = _page(ana, _detail(console.fresh, finalidad=PURPOSE))
    assert DEMO_DESCRIPTION in _main(shown)
    assert DEMO_ADDRESS in _main(shown)
    reads = [e for e in console.hub.audit()[before:] if e.action == "read_personal_data"]
    assert len(reads) == 1
    assert reads[0].purpose == PURPOSE
    assert reads[0].actor == "demo-personal-0003"
    assert reads[0].municipality_id == SDE


def test_a_purpose_too_short_gets_an_error_summary(console: Console, ana: httpx.Client) -> None:
    page = _page(ana, _detail(console.fresh, finalidad="ver"), status=400)
    (summary,) = page.xpath("//div[contains(@class, 'error-summary')]")
    assert summary.xpath(".//a/@href") == ["#finalidad"]
    assert page.xpath("//input[@id='finalidad']/@aria-invalid") == ["true"]
    assert DEMO_DESCRIPTION not in page.text_content()


def test_an_unknown_number_is_not_found(ana: httpx.Client) -> None:
    _page(ana, _detail("SDE-2026-999999"), status=404)
    _page(ana, _detail("no-es-un-numero"), status=404)


def test_a_status_change_with_a_note_appears_in_the_history(
    console: Console, ana: httpx.Client
) -> None:
    page = _page(ana, _detail(console.worked))
    options = page.xpath("//main//input[@name='estado']/@value")
    assert options == ["EN_REVISION", "RECHAZADA"]
    note = "Revisamos la documentación esta semana."
    response = ana.post(
        _detail(console.worked) + "/estado",
        data={"csrf_token": _csrf(page), "estado": "EN_REVISION", "nota": note},
    )
    assert response.status_code == 303, response.text[:500]
    assert response.headers["location"] == _detail(console.worked)
    after = _page(ana, response.headers["location"])
    (status,) = after.xpath("//main//*[@role='status']")
    assert "ha cambiado el estado" in text_of(status)
    history = texts(after, "//main//ol[contains(@class, 'history')]/li")
    assert "En revisión" in history[-1] and note in history[-1]
    # The notice is shown once.
    again = _page(ana, _detail(console.worked))
    assert text_of(again.xpath("//main//*[@role='status']")[0]) == ""


def test_rejecting_needs_a_reason(console: Console, ana: httpx.Client) -> None:
    page = _page(ana, _detail(console.fresh))
    response = ana.post(
        _detail(console.fresh) + "/estado",
        data={"csrf_token": _csrf(page), "estado": "RECHAZADA", "nota": ""},
    )
    assert response.status_code == 400
    form_page = parse(response.text)
    (summary,) = form_page.xpath("//div[contains(@class, 'error-summary')]")
    assert summary.xpath(".//a/@href") == ["#nota"]
    assert "motivo" in text_of(summary)
    assert form_page.xpath("//input[@name='estado'][@checked]/@value") == ["RECHAZADA"]
    assert text_of(_page(ana, _detail(console.fresh)).xpath("//main//dl")[0]).count("Recibida")


def test_a_form_without_the_csrf_token_changes_nothing(console: Console, ana: httpx.Client) -> None:
    response = ana.post(
        _detail(console.fresh) + "/estado", data={"estado": "EN_REVISION", "nota": ""}
    )
    assert response.status_code == 400
    assert "caducado" in text_of(
        parse(response.text).xpath("//div[contains(@class, 'error-summary')]")[0]
    )
    page = _page(ana, _detail(console.fresh))
    assert page.xpath("//main//input[@name='estado']/@value") == ["EN_REVISION", "RECHAZADA"]


def test_only_a_supervisor_assigns(
    console: Console, ana: httpx.Client, pedro: httpx.Client
) -> None:
    agent_page = _page(ana, _detail(console.assigned))
    assert agent_page.xpath("//main//input[@name='agente']") == []
    refused = ana.post(
        _detail(console.assigned) + "/asignacion",
        data={"csrf_token": _csrf(agent_page), "agente": "demo-personal-0003"},
    )
    assert refused.status_code == 403
    assert "No tiene acceso" in refused.text

    page = _page(pedro, _detail(console.assigned))
    token = str(
        page.xpath("//main//form[.//input[@name='agente']]//input[@name='csrf_token']/@value")[0]
    )
    done = pedro.post(
        _detail(console.assigned) + "/asignacion",
        data={"csrf_token": token, "agente": "demo-personal-0003", "accion": "asignar"},
    )
    assert done.status_code == 303, done.text[:500]
    after = _page(pedro, done.headers["location"])
    assert "asignado" in text_of(after.xpath("//main//*[@role='status']")[0])
    assert "demo-personal-0003" in _main(after)
    # The agent sees it in the queue.
    row = _page(ana, _queue()).xpath(
        f"//main//table/tbody/tr[th[normalize-space()='{console.assigned}']]"
    )[0]
    assert "demo-personal-0003" in text_of(row)


# -- The audit log ---------------------------------------------------------------------


def test_the_supervisor_reads_the_audit_log(
    console: Console, ana: httpx.Client, pedro: httpx.Client
) -> None:
    _page(ana, _detail(console.fresh, finalidad=PURPOSE))
    page = _page(pedro, f"/personal/{SDE}/registro")
    (table,) = page.xpath("//main//table")
    assert texts(table, "./thead/tr/th[@scope='col']") == [
        "Cuándo",
        "Quién",
        "Qué",
        "Registro",
        "Qué datos",
        "Por qué",
    ]
    rows = [text_of(r) for r in table.xpath("./tbody/tr")]
    assert any(
        PURPOSE in r and "Vio datos personales" in r and "demo-personal-0003" in r for r in rows
    )
    assert DEMO_DESCRIPTION not in page.text_content()
    assert MARIA.cedula not in page.text_content()


@pytest.mark.parametrize("who", ["ana", "carmen"])
def test_the_audit_log_is_refused_to_others(console: Console, who: str) -> None:
    with console.browser(who) as client:
        page = _page(client, f"/personal/{SDE}/registro", status=403)
    assert text_of(page.xpath("//h1")[0]) == "No tiene acceso a esta página"


# -- Failed deliveries ----------------------------------------------------------------

DELIVERIES = f"/personal/{SDE}/envios"


@pytest.fixture(scope="module")
def failed(console: Console) -> dict[str, str]:
    """Deliveries the worker gave up on: an e-mail about `fresh` (address refused) and
    `worked` sent to the municipality's system (which could not map it)."""
    url = console.hub.database_url
    return {
        "email": write_failed_delivery(url, console.fresh),
        "request": write_failed_delivery(
            url, console.worked, kind=OutboxKind.DELIVER_REQUEST, code="UPSTREAM_MAPPING"
        ),
    }


def _retry_url(item_id: str) -> str:
    return f"{DELIVERIES}/{item_id}/reintento"


def test_the_supervisor_sees_failed_deliveries_in_a_data_table(
    console: Console, pedro: httpx.Client, failed: dict[str, str]
) -> None:
    page = _page(pedro, DELIVERIES)
    assert text_of(page.xpath("//h1")[0]) == "Envíos fallidos de Santo Domingo Este"
    (table,) = page.xpath("//main//table")
    assert "2 envíos fallidos" in text_of(table.xpath("./caption")[0])
    assert texts(table, "./thead/tr/th[@scope='col']") == [
        "Solicitud", "Qué", "Qué falló", "Intentos", "En cola desde", "Falló el", "Acción",
    ]  # fmt: skip
    # Most recently given up first; each number leads to the request's staff page.
    assert _numbers(page) == [console.worked, console.fresh]
    assert table.xpath(".//th[@scope='row']/a/@href") == [
        _detail(console.worked),
        _detail(console.fresh),
    ]
    request_row, email_row = (text_of(r) for r in table.xpath("./tbody/tr"))
    assert "Solicitud al sistema del ayuntamiento" in request_row
    assert "no pudo aceptar la solicitud" in request_row and "UPSTREAM_MAPPING" in request_row
    assert "Correo electrónico a la persona solicitante" in email_row
    assert "rechazó la dirección" in email_row
    # One plain POST form per row, with the session's token; the button names its row.
    forms = table.xpath(".//form[@method='post']")
    assert [f.get("action") for f in forms] == [
        _retry_url(failed["request"]),
        _retry_url(failed["email"]),
    ]
    assert all(f.xpath(".//input[@name='csrf_token']/@value") for f in forms)
    assert [text_of(f.xpath(".//button")[0]) for f in forms] == [
        f"Reintentar el envío de la solicitud {console.worked}",
        f"Reintentar el envío de la solicitud {console.fresh}",
    ]
    assert DEMO_DESCRIPTION not in page.text_content()
    assert MARIA.cedula not in page.text_content()
    assert MARIA.email not in page.text_content()


def test_the_queue_leads_supervisors_to_the_failed_deliveries(
    ana: httpx.Client, pedro: httpx.Client
) -> None:
    assert DELIVERIES in _page(pedro, _queue()).xpath("//main//a/@href")
    assert DELIVERIES not in _page(ana, _queue()).xpath("//main//a/@href")


@pytest.mark.parametrize(("who", "own_request"), [("ana", "fresh"), ("carmen", "santiago")])
def test_failed_deliveries_are_refused_to_others(
    console: Console, who: str, own_request: str, failed: dict[str, str]
) -> None:
    number = getattr(console, own_request)
    with console.browser(who) as client:
        page = _page(client, DELIVERIES, status=403)
        assert text_of(page.xpath("//h1")[0]) == "No tiene acceso a esta página"
        # A valid token of their session (from a request they work), and still refused.
        municipality = SDE if own_request == "fresh" else "santiago"
        token = _csrf(_page(client, f"/personal/{municipality}/solicitudes/{number}"))
        refused = client.post(_retry_url(failed["email"]), data={"csrf_token": token})
    assert refused.status_code == 403
    assert console.fresh in _numbers(_page_as(console, "pedro", DELIVERIES))


def _page_as(console: Console, username: str, url: str) -> HtmlElement:
    with console.browser(username) as client:
        return _page(client, url)


def test_a_retry_without_the_csrf_token_changes_nothing(
    console: Console, pedro: httpx.Client, failed: dict[str, str]
) -> None:
    response = pedro.post(_retry_url(failed["email"]), data={})
    assert response.status_code == 400
    page = parse(response.text)
    assert "caducado" in text_of(page.xpath("//div[contains(@class, 'error-summary')]")[0])
    assert console.fresh in _numbers(_page(pedro, DELIVERIES))


def test_a_retry_puts_the_delivery_back_and_says_so(
    console: Console, pedro: httpx.Client, failed: dict[str, str]
) -> None:
    page = _page(pedro, DELIVERIES)
    response = pedro.post(_retry_url(failed["email"]), data={"csrf_token": _csrf(page)})
    assert response.status_code == 303, response.text[:500]
    assert response.headers["location"] == DELIVERIES
    after = _page(pedro, DELIVERIES)
    (status,) = after.xpath("//main//*[@role='status']")
    assert "volvió a la cola" in text_of(status)
    assert _numbers(after) == [console.worked]
    # The same form sent again (another tab): nothing to retry, and the page says so.
    again = pedro.post(_retry_url(failed["email"]), data={"csrf_token": _csrf(page)})
    assert again.status_code == 303
    notice = _page(pedro, DELIVERIES).xpath("//main//*[@role='status']")[0]
    assert "ya no estaba esperando revisión" in text_of(notice)
    entries = [e for e in console.hub.audit() if e.action == "delivery_retried"]
    assert [(e.record_type, e.record_id) for e in entries] == [("outbox_item", failed["email"])]


def test_with_nothing_failed_the_page_says_so(console: Console) -> None:
    with console.browser("luis") as luis:
        page = _page(luis, "/personal/santiago/envios")
    assert page.xpath("//main//table") == []
    assert "No hay envíos fallidos" in _main(page)


def test_pages_work_in_english(console: Console) -> None:
    with console.browser("pedro") as pedro:
        pedro.cookies.set("lang", "en")
        page = _page(pedro, _queue())
        detail = _page(pedro, _detail(console.overdue))
    assert page.get("lang") == "en"
    assert texts(page, "//main//table/thead/tr/th") == [
        "Number", "Service", "Status", "Received", "Due by", "Assigned to",
    ]  # fmt: skip
    assert "Overdue" in _main(page)
    assert detail.get("lang") == "en"
    assert text_of(detail.xpath("//h1")[0]) == f"Request {console.overdue}"
