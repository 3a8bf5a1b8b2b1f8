"""The query cost limit: cheap queries pass, costly ones are refused before execution."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
from graphql import get_introspection_query, parse
from starlette.applications import Starlette
from strawberry.extensions import SchemaExtension

from connectors import Federation, dispatch
from gateway import query_cost
from gateway.app import create_app
from gateway.hub import Hub
from gateway.limits import REQUEST_LIST_SIZES, schema_extensions
from gateway.query_cost import QueryCost, estimate_cost
from gateway.settings import Settings
from schema import HubContext, build_schema
from schema.paging import MAX_PAGE_SIZE
from tests.fixtures import MUNICIPALITIES_DIR

MAXIMUM = 5000
GOVERNMENTS = 10

#: 1 + 10 × (1 + 200 × (1 + 1 + 1 + 1)) = 8011: every service of every government.
COSTLY = "{ municipalities { services(first: 200) { id name department { name } } } }"
#: The same shape, one page of 5: 1 + 10 × (1 + 5 × 4) = 211.
CHEAP = "{ municipalities { services(first: 5) { id name department { name } } } }"
BY_VARIABLE = (
    "query Page($n: Int) { municipalities { services(first: $n) { id name department { name } } } }"
)


def extensions_with_cost(
    settings: Settings, maximum: int = MAXIMUM, governments: int = GOVERNMENTS
) -> list[Callable[[], SchemaExtension]]:
    """The gateway's extensions with the cost limit where it belongs: before MaskErrors."""
    extensions = schema_extensions(settings)
    extensions.insert(
        len(extensions) - 1,
        lambda: QueryCost(
            maximum=maximum,
            list_sizes={"Query.municipalities": governments, **REQUEST_LIST_SIZES},
        ),
    )
    return extensions


@pytest.fixture(scope="module")
def costed_schema() -> strawberry.Schema:
    return build_schema(extensions_with_cost(Settings()))


@pytest.fixture
def run(federation: Federation, costed_schema: strawberry.Schema) -> Callable[..., Any]:
    async def execute(query: str, **variables: Any) -> Any:
        return await costed_schema.execute(
            query, variable_values=variables or None, context_value=HubContext.create(federation)
        )

    return execute


@contextlib.contextmanager
def counting_upstream_calls() -> Iterator[Callable[[], int]]:
    before = sum(dispatch.upstream_calls.values())
    yield lambda: sum(dispatch.upstream_calls.values()) - before


def assert_too_costly(errors: list[Any], cost: int, maximum: int = MAXIMUM) -> None:
    (error,) = errors
    assert error.message == (
        f"La consulta es demasiado costosa: costo estimado {cost}, máximo {maximum}. "
        f"(Estimated cost {cost} exceeds the maximum of {maximum}.)"
    )
    assert error.extensions == {"code": "QUERY_TOO_COSTLY", "cost": cost, "maximum": maximum}


async def test_a_cheap_query_passes(run: Callable[..., Any]) -> None:
    with counting_upstream_calls() as calls:
        result = await run(CHEAP)
    assert result.errors is None
    assert len(result.data["municipalities"]) == GOVERNMENTS
    assert calls() > 0  # it did reach the sources


async def test_a_costly_query_is_refused_before_any_upstream_call(run: Callable[..., Any]) -> None:
    with counting_upstream_calls() as calls:
        result = await run(COSTLY)
    assert result.data is None
    assert_too_costly(result.errors, 8011)
    assert calls() == 0


async def test_list_sizes_from_variables_are_measured_per_value(run: Callable[..., Any]) -> None:
    assert (await run(BY_VARIABLE, n=5)).errors is None
    assert_too_costly((await run(BY_VARIABLE, n=200)).errors, 8011)
    # Absent or null `first` means a whole page; a value past the page size counts as one.
    assert_too_costly((await run(BY_VARIABLE)).errors, 8011)
    assert_too_costly((await run(BY_VARIABLE, n=10_000)).errors, 8011)


async def test_measured_once_per_text_and_sizes(
    run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    measured: list[str] = []
    original = query_cost.estimate_cost

    def counting(*args: Any, **kwargs: Any) -> int:
        measured.append("x")
        return original(*args, **kwargs)

    monkeypatch.setattr(query_cost, "estimate_cost", counting)
    query = BY_VARIABLE.replace("Page", "Measured")
    for n in (3, 3, 4, 3, 4):
        await run(query, n=n)
    assert len(measured) == 2  # once for 3, once for 4
    # Variables that do not size lists are not part of the key.
    other = "query($id: ID!, $n: Int) { municipality(id: $id) { services(first: $n) { id } } }"
    for municipality in ("jarabacoa", "higuey", "santiago"):
        await run(other, id=municipality, n=2)
    assert len(measured) == 3


async def test_other_limits_report_alone(run: Callable[..., Any]) -> None:
    """A query that is too deep is refused for that; it is not also costed."""
    query = "id"
    for _ in range(8):
        query = f"services {{ municipality {{ {query} }} }}"
    result = await run("{ municipalities { " + query + " } }")
    (error,) = result.errors
    assert error.extensions["code"] == "QUERY_TOO_DEEP"
    invalid = await run("{ municipalities { nope } }")
    assert "QUERY_TOO_COSTLY" not in str(invalid.errors)


async def test_introspection_costs_nothing(run: Callable[..., Any]) -> None:
    """The explorer's full introspection query must always pass."""
    result = await run(get_introspection_query(descriptions=True))
    assert result.errors is None


def test_the_cost_model() -> None:
    schema = build_schema()._schema

    def cost(query: str, **variables: Any) -> int:
        return estimate_cost(
            schema,
            parse(query),
            variables=variables,
            list_sizes={"Query.municipalities": GOVERNMENTS},
        )

    assert cost('{ municipality(id: "x") { name contact { phone } } }') == 4
    assert cost("{ municipalities { id name } }") == 1 + 10 * 2
    # `first` on the root list pages the whole list, not per government.
    assert cost("{ services(first: 50) { id } }") == 1 + 50
    assert cost("{ services { id } }") == 1 + MAX_PAGE_SIZE
    assert cost("{ services(first: 0) { id } }") == 1
    # Lists of scalars cost their field only; __typename costs nothing.
    assert cost('{ service(id: "a:b") { requirements channels __typename } }') == 3
    # A list without `first` and without a configured size counts as a whole page.
    assert cost('{ municipality(id: "x") { departments { name } } }') == 2 + MAX_PAGE_SIZE
    # Fragments count where they are spread; a variable's default applies.
    fragments = (
        'query($n: Int = 3) { municipalities { ...M } municipality(id: "x") { ...M } } '
        "fragment M on Municipality { services(first: $n) { id } }"
    )
    assert cost(fragments) == (1 + 10 * (1 + 3)) + (1 + 1 + 3)
    assert cost(fragments, n=1) == (1 + 10 * 2) + (1 + 2)
    # With several operations and none named, the costliest.
    assert cost("query A { services(first: 1) { id } } query B { services(first: 9) { id } }") == 10


# --- over HTTP, in the real app -------------------------------------------------------------


@pytest.fixture
async def hub_app(tmp_path: Path) -> AsyncIterator[Starlette]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        municipalities_dir=MUNICIPALITIES_DIR,
        demo_data_dir=tmp_path / "demo",
    )
    hub = Hub(settings)
    # What the wiring in gateway/limits.py will do: the number of governments on the hub.
    hub.schema = build_schema(extensions_with_cost(settings, governments=len(hub.municipalities)))
    app = create_app(settings, hub)
    async with app.router.lifespan_context(app):
        yield app


async def test_over_http_the_error_names_the_cost_and_the_maximum(hub_app: Starlette) -> None:
    transport = httpx.ASGITransport(app=hub_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        with counting_upstream_calls() as calls:
            refused = await http.post("/graphql", json={"query": COSTLY})
        assert calls() == 0
        served = await http.post("/graphql", json={"query": CHEAP})
    assert refused.status_code == 200
    body = refused.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert "costo estimado 8011, máximo 5000" in error["message"]
    assert "(Estimated cost 8011 exceeds the maximum of 5000.)" in error["message"]
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 8011, "maximum": 5000}
    assert served.status_code == 200
    assert "errors" not in served.json()
