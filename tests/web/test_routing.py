from __future__ import annotations

import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, NoMatchFound, Route

import web
from schema import build_schema
from web.routing import Example, Page, example_urls


async def _endpoint(request: object) -> PlainTextResponse:
    return PlainTextResponse("")


def test_a_page_without_examples_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="must declare at least one example"):
        Page("/x", _endpoint, name="x", examples=[])


def test_an_example_with_wrong_parameters_fails_at_start_up() -> None:
    with pytest.raises(NoMatchFound):
        Page("/m/{id}", _endpoint, name="m", examples=[Example({"slug": "santiago"})])


def test_example_urls_carry_path_query_and_status() -> None:
    page = Page(
        "/m/{id}",
        _endpoint,
        name="m",
        examples=[Example({"id": "a b"}), Example({"id": "x"}, {"q": "á & b"}, status=404)],
    )
    assert [(u.page, u.url, u.status) for u in example_urls([page])] == [
        ("m", "/m/a%20b", 200),
        ("m", "/m/x?q=%C3%A1+%26+b", 404),
    ]


def test_pages_are_get_only() -> None:
    page = Page("/", _endpoint, name="home", examples=[Example()])
    assert page.methods == {"GET", "HEAD"}


def test_every_web_route_is_an_audited_page_or_the_static_files() -> None:
    for route in web.build_routes(build_schema()):
        if isinstance(route, Mount):
            assert route.name == "static"
        elif isinstance(route, Route) and route.methods == {"POST"}:
            # A form's submission renders its page, which is audited as a Page.
            continue
        else:
            assert isinstance(route, Page), f"{route!r} is not a Page: it would skip the audit"
            assert route.examples


def test_each_page_has_a_working_example_and_a_missing_one_where_it_takes_an_id() -> None:
    urls = example_urls(web.build_routes(build_schema()))
    by_page: dict[str, set[int]] = {}
    for url in urls:
        by_page.setdefault(url.page, set()).add(url.status)
    assert by_page == {
        "home": {200},
        "municipality": {200, 404},
        "service": {200, 404},
        "municipality_figures": {200, 404},
        "my_data": {200},
        "my_data_edit": {200},
        "my_data_export": {200},
        "my_data_erase": {200},
        "request_start": {200, 404},
        "request_form": {200},
        "request_sent": {200},
        "tracking_lookup": {200, 400},
        "tracking": {200, 404},
        "my_requests": {200},
        "request_attachment": {404},
        "staff_home": {200, 401, 403},
        "staff_queue": {200, 403},
        "staff_request": {200, 400, 403, 404},
        "staff_audit_log": {200, 403},
        "staff_deliveries": {200, 403},
    }


def test_pages_of_a_signed_in_citizen_say_who_to_sign_in_as() -> None:
    urls = example_urls(web.build_routes(build_schema()))
    signed_in = {url.page: url.signed_in_as for url in urls if url.signed_in_as}
    assert set(signed_in) == {
        "my_data",
        "my_data_edit",
        "my_data_export",
        "my_data_erase",
        "request_start",
        "request_form",
        "request_sent",
        "tracking",
        "my_requests",
        "staff_home",
        "staff_queue",
        "staff_request",
        "staff_audit_log",
        "staff_deliveries",
    }
    everyone = {url.signed_in_as for url in urls if url.signed_in_as}
    assert everyone == {"maria", "juan", "ana", "pedro", "carmen"}
