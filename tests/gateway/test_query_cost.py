"""The query cost limit: ordinary queries pass, floods are refused before execution."""

from __future__ import annotations

import contextlib
import importlib
import json
import pkgutil
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
from graphql import (
    GraphQLList,
    GraphQLNonNull,
    VariableNode,
    get_introspection_query,
    is_composite_type,
    parse,
    validate,
    visit,
)
from graphql.language import Visitor

import web
from connectors import Federation, dispatch, load_directory
from gateway import query_cost
from gateway.limits import hub_list_sizes, schema_extensions
from gateway.query_cost import estimate, estimate_cost, schema_sizes
from gateway.settings import Settings
from schema import HubContext, build_schema
from schema.paging import MAX_PAGE_SIZE
from schema.requests.attachments import MAX_FILES
from schema.requests.forms import MAX_CHOICES, MAX_FIELDS
from tests.fixtures import MUNICIPALITIES_DIR

ROOT = Path(__file__).resolve().parents[2]
MAXIMUM = Settings().max_query_cost
GOVERNMENTS = 10
SIZES = hub_list_sizes(GOVERNMENTS)

#: The issue's query: ten municipalities with their services and sources.
#: 1 + 10 × [1 + 1 + (1 + 50 × 1) + (1 + 10 × 3)] = 841.
ISSUE = "{ municipalities { id kind services { id } sources { name connector status } } }"
#: 1 + 10 × (1 + 200 × (1 + 1 + 1 + 1)) = 8011: a page of 200 services of every government.
COSTLY = "{ municipalities { services(first: 200) { id name department { name } } } }"
#: The same shape, one page of 5: 1 + 10 × (1 + 5 × 4) = 211.
CHEAP = "{ municipalities { services(first: 5) { id name department { name } } } }"
BY_VARIABLE = (
    "query Page($n: Int) { municipalities { services(first: $n) { id name department { name } } } }"
)


@pytest.fixture(scope="module")
def costed_schema() -> strawberry.Schema:
    """The gateway's extensions as the demo hub wires them (its ten governments)."""
    return build_schema(schema_extensions(Settings(), municipality_count=GOVERNMENTS))


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


def refusal(cost: int, path: str, part: int, maximum: int = MAXIMUM) -> tuple[str, dict[str, Any]]:
    """The refusal's message and extensions, exactly."""
    message = (
        f"La consulta es demasiado costosa: costo estimado {cost}, máximo {maximum}; lo más "
        f"costoso es {path} ({part}). (Estimated cost {cost} exceeds the maximum of "
        f"{maximum}; the costliest part is {path} ({part}).)"
    )
    extensions = {
        "code": "QUERY_TOO_COSTLY",
        "cost": cost,
        "maximum": maximum,
        "costliest": {"path": path, "cost": part},
    }
    return message, extensions


def assert_too_costly(errors: list[Any], cost: int, path: str, part: int) -> None:
    (error,) = errors
    assert (error.message, error.extensions) == refusal(cost, path, part)


def cost(query: str, **variables: Any) -> int:
    return estimate_cost(
        build_schema()._schema, parse(query), variables=variables, list_sizes=SIZES
    )


# --- ordinary queries pass --------------------------------------------------------------


async def test_the_issue_query_passes_with_every_government(run: Callable[..., Any]) -> None:
    assert cost(ISSUE) == 841
    result = await run(ISSUE)
    assert result.errors is None
    municipalities = result.data["municipalities"]
    assert len(municipalities) == GOVERNMENTS
    assert all(m["services"] and m["sources"] for m in municipalities)


async def test_a_cheap_query_passes(run: Callable[..., Any]) -> None:
    with counting_upstream_calls() as calls:
        result = await run(CHEAP)
    assert result.errors is None
    assert len(result.data["municipalities"]) == GOVERNMENTS
    assert calls() > 0  # it did reach the sources


async def test_a_query_of_almost_two_thousand_objects_passes(run: Callable[..., Any]) -> None:
    """1,900 services (at most) and their ten governments, two fields each."""
    query = "{ municipalities { id services(first: 190) { id name } } }"
    assert cost(query) == 1 + 10 * (1 + 1 + 190 * 2) <= MAXIMUM
    result = await run(query)
    assert result.errors is None
    assert len(result.data["municipalities"]) == GOVERNMENTS
    # Paged lists without `first` count a page of their default size, not of 200.
    staff = '{ serviceRequestQueue(municipalityId: "x") { id status history { status } } }'
    assert cost(staff) == 1 + 50 * (1 + 1 + (1 + 10 * 1))


# --- every query of the web client and of the README -------------------------------------


def web_client_operations() -> dict[str, str]:
    """Every GraphQL operation a module of the web client holds, by module and name."""
    found: dict[str, str] = {}
    for module_info in pkgutil.walk_packages(web.__path__, "web."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if isinstance(value, str) and re.match(r"\s*(query|mutation|subscription)\b", value):
                found[f"{module_info.name}.{name}"] = value
    return found


def readme_operations() -> dict[str, str]:
    """The README's queries: `curl` bodies and inline code that is a whole operation."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = {
        f"README curl {i}": json.loads("{" + body + "}")["query"]
        for i, body in enumerate(re.findall(r"'\{(\"query\":\".*?\")\}'", text))
    }
    for i, code in enumerate(re.findall(r"`([^`]+)`", text)):
        if code.lstrip().startswith(("{", "query ", "mutation ")):
            found[f"README code {i}"] = code
    return found


def first_variables(query: str) -> dict[str, int]:
    """Every variable the operation pages lists with, at the largest page."""
    names: set[str] = set()

    class Slicing(Visitor):
        def enter_argument(self, node: Any, *_: Any) -> None:
            if node.name.value == "first" and isinstance(node.value, VariableNode):
                names.add(node.value.name.value)

    visit(parse(query), Slicing())
    return dict.fromkeys(names, MAX_PAGE_SIZE)


def test_the_web_client_and_the_readme_ask_for_queries_the_hub_answers() -> None:
    schema = build_schema()._schema
    governments = len(load_directory(MUNICIPALITIES_DIR))
    operations = {**web_client_operations(), **readme_operations()}
    web_names = [n for n in operations if n.startswith("web.")]
    assert len(web_names) >= 20  # the collection finds them (pages, staff console, my data)
    assert any(n.startswith("README curl") for n in operations)
    costs: dict[str, int] = {}
    for name, query in operations.items():
        document = parse(query)
        if validate(schema, document):
            assert not name.startswith("web."), name  # the README's prose may be partial
            continue
        costs[name] = estimate_cost(
            schema,
            document,
            variables=first_variables(query),
            list_sizes=hub_list_sizes(governments),
        )
    too_costly = {name: c for name, c in costs.items() if c > MAXIMUM}
    assert too_costly == {}
    # The costliest web page (the municipality's page: its whole catalogue) has room left.
    assert max(costs.values()) <= MAXIMUM // 2


# --- floods are refused --------------------------------------------------------------------


async def test_a_costly_query_is_refused_before_any_upstream_call(run: Callable[..., Any]) -> None:
    with counting_upstream_calls() as calls:
        result = await run(COSTLY)
    assert result.data is None
    assert_too_costly(result.errors, 8011, "municipalities.services", 8010)
    assert calls() == 0


async def test_aliases_of_a_costly_list_are_refused(run: Callable[..., Any]) -> None:
    one = "municipalities { services { id name } }"  # 1 + 10 × (1 + 50 × 2) = 1011
    assert cost("{ " + one + " }") == 1011
    flood = "{ " + " ".join(f"a{i}: {one}" for i in range(15)) + " }"
    result = await run(flood)
    assert result.data is None
    assert_too_costly(result.errors, 15 * 1011, "municipalities.services", 15 * 1010)
    # Through fragments too: the same field under two names, spread three times.
    fragments = (
        "{ ...Twice ...Twice ...Twice } fragment Twice on Query { a: municipalities { ...S } "
        "b: municipalities { ...S } } fragment S on Municipality { services { id name } }"
    )
    result = await run(fragments)
    assert_too_costly(result.errors, 6 * 1011, "municipalities.services", 6 * 1010)


async def test_nested_lists_are_refused(run: Callable[..., Any]) -> None:
    pages = "services(first: 200) { municipality { services(first: 200) { municipality { "
    result = await run("{ " + pages + "services(first: 200) { id } } } } } }")
    (error,) = result.errors
    assert error.extensions["code"] == "QUERY_TOO_COSTLY"
    assert error.extensions["costliest"]["path"] == (
        "services.municipality.services.municipality.services"
    )
    assert error.extensions["cost"] > 8_000_000
    # Without `first`, each government's services are assumed to be 50: still a flood.
    nested = "{ municipalities { services { municipality { services { municipality { "
    result = await run(nested + "services { id } } } } } } }")
    (error,) = result.errors
    assert error.extensions["code"] == "QUERY_TOO_COSTLY"
    assert error.extensions["cost"] > 10 * 50 * 50 * 50


async def test_list_sizes_from_variables_are_measured_per_value(run: Callable[..., Any]) -> None:
    assert (await run(BY_VARIABLE, n=5)).errors is None
    assert_too_costly((await run(BY_VARIABLE, n=200)).errors, 8011, "municipalities.services", 8010)
    # A value past the page size counts as one page.
    assert_too_costly(
        (await run(BY_VARIABLE, n=10_000)).errors, 8011, "municipalities.services", 8010
    )
    # Absent or null `first`: all of each government's services, assumed to be 50.
    assert cost(BY_VARIABLE) == cost(BY_VARIABLE, n=None) == 1 + 10 * (1 + 50 * 4)
    assert (await run(BY_VARIABLE)).errors is None


async def test_measured_once_per_text_and_sizes(
    run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    measured: list[bool] = []
    original = query_cost.estimate

    def counting(*args: Any, **kwargs: Any) -> Any:
        measured.append(kwargs.get("explain", False))
        return original(*args, **kwargs)

    monkeypatch.setattr(query_cost, "estimate", counting)
    query = BY_VARIABLE.replace("Page", "Measured")
    for n in (3, 3, 4, 3, 4):
        await run(query, n=n)
    assert len(measured) == 2  # once for 3, once for 4
    # Variables that do not size lists are not part of the key.
    other = "query($id: ID!, $n: Int) { municipality(id: $id) { services(first: $n) { id } } }"
    for municipality in ("jarabacoa", "higuey", "santiago"):
        await run(other, id=municipality, n=2)
    assert len(measured) == 3
    # A refusal measures its costliest part once too.
    for _ in range(3):
        await run(query, n=200)
    assert measured[3:] == [False, True]


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


# --- the model -----------------------------------------------------------------------------


def test_the_cost_model() -> None:
    assert cost('{ municipality(id: "x") { name contact { phone } } }') == 4
    assert cost("{ municipalities { id name } }") == 1 + 10 * 2
    # `first` on the root list pages the whole list, not per government.
    assert cost("{ services(first: 50) { id } }") == 1 + 50
    assert cost("{ services(first: 0) { id } }") == 1
    # Without `first`: every service of the hub, as many per government as assumed.
    assert cost("{ services { id } }") == 1 + 10 * 50
    # Lists of scalars cost their field only; __typename costs nothing.
    assert cost('{ service(id: "a:b") { requirements channels __typename } }') == 3
    # Declared sizes: a government's departments and sources.
    assert cost('{ municipality(id: "x") { departments { name } } }') == 2 + 30
    assert cost('{ municipality(id: "x") { sources { name } } }') == 2 + 10
    # `first`'s default in the schema when it is not given; the assumed size for null.
    assert cost("{ myServiceRequests { id } }") == 1 + 50
    assert cost("{ myServiceRequests(first: 7) { id } }") == 1 + 7
    assert cost("{ myServiceRequests(first: null) { id } }") == 1 + 50
    assert cost("{ me { accessLog { at } } }") == 2 + 50
    # A parent's `first` sizes the list in its answer (`sizedFields`).
    log = '{{ municipalityAuditLog(municipalityId: "x"{0}) {{ hasMore entries {{ seq }} }} }}'
    assert cost(log.format("")) == 1 + 1 + 1 + 50
    assert cost(log.format(", first: 120")) == 1 + 1 + 1 + 120
    # Fragments count where they are spread; a variable's default applies.
    fragments = (
        'query($n: Int = 3) { municipalities { ...M } municipality(id: "x") { ...M } } '
        "fragment M on Municipality { services(first: $n) { id } }"
    )
    assert cost(fragments) == (1 + 10 * (1 + 3)) + (1 + 1 + 3)
    assert cost(fragments, n=1) == (1 + 10 * 2) + (1 + 2)
    # A list of keys sizes the answer by its length (a literal or a variable).
    numbers = "query($n: [String!]!) {{ serviceRequests(trackingNumbers: {0}) {{ status }} }}"
    assert cost(numbers.format('["SDE-2026-000001", "SOL-2023-0097"]')) == 1 + 2
    assert cost(numbers.format("$n"), n=["A"] * 7) == 1 + 7
    assert cost(numbers.format('"SOL-2023-0097"')) == 1 + 1  # a list of one, by coercion
    # With several operations and none named, the costliest.
    assert cost("query A { services(first: 1) { id } } query B { services(first: 9) { id } }") == 10


@strawberry.type
class Item:
    id: int


@strawberry.type
class UndeclaredQuery:
    @strawberry.field
    def items(self) -> list[Item]:
        return []

    @strawberry.field
    def paged(self, first: int | None = None) -> list[Item]:
        return []


def test_a_list_that_declares_nothing_counts_as_a_page() -> None:
    schema = strawberry.Schema(UndeclaredQuery)._schema
    assert estimate_cost(schema, parse("{ items { id } }")) == 1 + MAX_PAGE_SIZE
    assert estimate_cost(schema, parse("{ items { id } }"), default_list_size=7) == 1 + 7
    assert estimate_cost(schema, parse("{ paged(first: 3) { id } }")) == 1 + 3
    assert estimate_cost(schema, parse("{ paged { id } }")) == 1 + MAX_PAGE_SIZE


def test_every_list_of_objects_declares_its_size() -> None:
    """A new list field must say how long it is: a page of 200 is rarely the truth."""
    schema = build_schema()._schema
    declared = schema_sizes(schema).fields
    undeclared = []
    for type_name, named in schema.type_map.items():
        if type_name.startswith("__") or not hasattr(named, "fields"):
            continue
        for field_name, field in named.fields.items():
            field_type = field.type
            if isinstance(field_type, GraphQLNonNull):
                field_type = field_type.of_type
            if not isinstance(field_type, GraphQLList) or not is_composite_type(
                field_type.of_type.of_type
                if isinstance(field_type.of_type, GraphQLNonNull)
                else field_type.of_type
            ):
                continue
            sizing = declared.get((type_name, field_name))
            if sizing is None or sizing.assumed is None:
                undeclared.append(f"{type_name}.{field_name}")
    assert undeclared == []
    # Sizes the schema states where an import would go in circles: kept in step here.
    assert declared["Service", "requestFields"].assumed == MAX_FIELDS
    assert declared["RequestField", "choices"].assumed == MAX_CHOICES
    assert declared["ServiceRequest", "attachments"].assumed == MAX_FILES


def test_the_sdl_shows_the_sizes() -> None:
    from schema import SDL_PATH

    text = SDL_PATH.read_text(encoding="utf-8")
    assert "directive @listSize(assumedSize: Int, slicingArguments: [String!]" in text
    assert '@listSize(assumedSize: 50, slicingArguments: ["first"])' in text


def test_the_refusal_names_the_costliest_part() -> None:
    schema = build_schema()._schema
    query = (
        "{ municipalities { id services(first: 200) { id department { name phone email } } "
        "sources { name } } }"
    )
    found = estimate(schema, parse(query), list_sizes=SIZES, explain=True)
    # services: 10 × (1 + 200 × (1 + 4)) = 10010 of 10131; department: 10 × 200 × 4 = 8000.
    assert found.cost == 1 + 10 * (1 + 10010 // 10 + 11)
    assert (found.costliest_path, found.costliest_cost) == (
        "municipalities.services.department",
        8000,
    )


# --- over real HTTP ------------------------------------------------------------------------


def test_over_http_the_issue_query_answers_and_a_flood_is_refused(live_hub: str) -> None:
    with httpx.Client(base_url=live_hub, timeout=30) as http:
        served = http.post("/graphql", json={"query": ISSUE})
        refused = http.post("/graphql", json={"query": COSTLY})
    assert served.status_code == 200
    body = served.json()
    assert "errors" not in body
    assert len(body["data"]["municipalities"]) == GOVERNMENTS
    assert all(m["services"] for m in body["data"]["municipalities"])
    assert refused.status_code == 200
    body = refused.json()
    assert body["data"] is None
    (error,) = body["errors"]
    message, extensions = refusal(8011, "municipalities.services", 8010)
    assert (error["message"], error["extensions"]) == (message, extensions)
