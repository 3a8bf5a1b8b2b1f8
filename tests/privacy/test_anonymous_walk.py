"""An anonymous client walks the whole schema, found by introspection, and asks for
every field it can reach (mutations included, with the citizens' own values as input,
and the demo citizens' subjects wherever an id is wanted): no answer holds any personal
value of the demo people, while María and Juan have profiles and staff have read them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import httpx
import pytest

from tests.privacy.personal_values import JUAN, MARIA, personal_values_in
from tests.privacy.support import STAFF_READ, PrivacyHub, graphql

INTROSPECTION = """
query Walk {
  __schema {
    queryType { name }
    mutationType { name }
    types {
      name kind
      fields {
        name
        args { name defaultValue type { ...Ref } }
        type { ...Ref }
      }
      inputFields { name defaultValue type { ...Ref } }
      enumValues { name }
      possibleTypes { name }
    }
  }
}
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
"""

#: Deep enough for every type, within the hub's depth limit.
MAX_DEPTH = 6
#: Ids to try wherever an `ID` argument is wanted: people, places, services.
IDS = (MARIA.subject, JUAN.subject, "santo-domingo-este", "santiago:licencia-construccion")
PURPOSE = "Recorrido anónimo del esquema (prueba)"


def _named(ref: Mapping[str, Any]) -> Mapping[str, Any]:
    while ref.get("ofType"):
        ref = ref["ofType"]
    return ref


def _required(ref: Mapping[str, Any]) -> bool:
    return bool(ref["kind"] == "NON_NULL")


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, _Enum):
        return value.name
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclasses.dataclass(frozen=True)
class _Enum:
    name: str


@dataclasses.dataclass(frozen=True)
class Node:
    """A field with its arguments, and what it selects (empty for a leaf)."""

    head: str
    children: tuple[Node, ...] = ()

    def render(self) -> str:
        if not self.children:
            return self.head
        return f"{self.head} {{ __typename {' '.join(c.render() for c in self.children)} }}"

    def pieces(self) -> list[Node]:
        """The same walk as several smaller ones: one per child, each kept whole."""
        return [dataclasses.replace(self, children=(child,)) for child in self.children]


@dataclasses.dataclass
class Walker:
    types: dict[str, Mapping[str, Any]]
    visited: set[str] = dataclasses.field(default_factory=set)

    def value(self, name: str, ref: Mapping[str, Any], variant: int) -> Any:
        named = _named(ref)
        kind, type_name = named["kind"], named["name"]
        if kind == "ENUM":
            return _Enum(self.types[type_name]["enumValues"][0]["name"])
        if kind == "INPUT_OBJECT":
            # The demo citizen's own values, where the input asks for them.
            given = MARIA.profile_input()
            fields = {}
            for field in self.types[type_name]["inputFields"]:
                if field["name"] in given:
                    fields[field["name"]] = given[field["name"]]
                elif _required(field["type"]):
                    fields[field["name"]] = self.value(field["name"], field["type"], variant)
            return fields
        if type_name == "ID":
            return IDS[variant % len(IDS)]
        if type_name == "Int":
            return 0 if name == "offset" else 2
        if type_name == "Boolean":
            return True
        if type_name == "DateTime":
            return "2026-01-01T00:00:00+00:00"
        if name == "purpose":
            return PURPOSE
        return "santo"

    def arguments(self, field: Mapping[str, Any], variant: int, *, root: bool) -> str:
        chosen = {}
        for arg in field["args"]:
            wanted = _required(arg["type"]) or arg["name"] == "first"
            if wanted or (root and arg["name"] != "offset"):
                chosen[arg["name"]] = self.value(arg["name"], arg["type"], variant)
        if not chosen:
            return ""
        return "(" + ", ".join(f"{k}: {_literal(v)}" for k, v in chosen.items()) + ")"

    def children(
        self, type_name: str, depth: int, path: tuple[str, ...], variant: int
    ) -> tuple[Node, ...]:
        definition = self.types[type_name]
        if definition["kind"] in ("UNION", "INTERFACE"):
            return tuple(
                Node(f"... on {t['name']}", self.children(t["name"], depth, path, variant))
                for t in definition["possibleTypes"]
            )
        found = []
        for field in definition["fields"]:
            named = _named(field["type"])
            target = named["name"]
            is_object = named["kind"] in ("OBJECT", "UNION", "INTERFACE")
            if is_object and (target in path or depth >= MAX_DEPTH):
                continue  # cut cycles; the type is walked where it first appears
            self.visited.add(f"{type_name}.{field['name']}")
            head = field["name"] + self.arguments(field, variant, root=False)
            below = self.children(target, depth + 1, (*path, target), variant) if is_object else ()
            found.append(Node(head, below))
        return tuple(found)

    def operations(self, root: str) -> Iterator[tuple[str, Node]]:
        for field in self.types[root]["fields"]:
            uses_id = any(_named(a["type"])["name"] == "ID" for a in field["args"])
            for variant in range(len(IDS) if uses_id else 1):
                named = _named(field["type"])
                self.visited.add(f"{root}.{field['name']}")
                head = field["name"] + self.arguments(field, variant, root=True)
                below: tuple[Node, ...] = ()
                if named["kind"] in ("OBJECT", "UNION", "INTERFACE"):
                    below = self.children(named["name"], 1, (named["name"],), variant)
                yield f"{root}.{field['name']}#{variant}", Node(head, below)


def reachable_fields(types: Mapping[str, Mapping[str, Any]], roots: Sequence[str]) -> set[str]:
    seen: set[str] = set()
    found: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        definition = types[name]
        pending.extend(t["name"] for t in definition.get("possibleTypes") or ())
        for field in definition.get("fields") or ():
            found.add(f"{name}.{field['name']}")
            named = _named(field["type"])
            if named["kind"] in ("OBJECT", "UNION", "INTERFACE"):
                pending.append(named["name"])
    return found


@pytest.fixture(scope="module")
def staff_have_read_the_profiles(hub: PrivacyHub) -> None:
    """Audit entries and every part of the data exist for the walk to stumble on."""
    with hub.client() as client:
        for username, citizen in (("ana", MARIA), ("carmen", JUAN), ("carmen", MARIA)):
            graphql(
                client,
                STAFF_READ,
                token=hub.token(username),
                subject=citizen.subject,
                purpose="Atender una solicitud antes del recorrido",
            )


@dataclasses.dataclass
class Walk:
    """The answers of one walk: how many operations answered, and what they held."""

    answered: int = 0
    found: dict[str, set[str]] = dataclasses.field(default_factory=dict)


def _ask(
    client: httpx.Client, keyword: str, label: str, node: Node, walk: Walk, token: str | None
) -> None:
    """Run the walk below `node`, split where the hub finds it too costly."""
    operation = f"{keyword} {{ {node.render()} }}"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post("/graphql", json={"query": operation}, headers=headers)
    assert response.status_code == 200, (label, response.text[:300])
    body = response.json()
    codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
    if "QUERY_TOO_COSTLY" in codes and node.children:
        for piece in _split(node):
            _ask(client, keyword, label, piece, walk, token)
        return
    assert body.get("data") is not None, (label, body.get("errors"))
    walk.answered += 1
    hits = personal_values_in(response.text)
    if hits:
        walk.found[f"{label}: {operation}"] = hits


def _split(node: Node) -> list[Node]:
    """Smaller walks: one per child at the first level that has several."""
    if len(node.children) > 1:
        return node.pieces()
    if not node.children:
        return [node]
    (child,) = node.children
    return [dataclasses.replace(node, children=(piece,)) for piece in _split(child)]


def _walk(
    client: httpx.Client, token: str | None = None, *, mutations: bool
) -> tuple[Walk, Walker]:
    schema = graphql(client, INTROSPECTION)["data"]["__schema"]
    types = {t["name"]: t for t in schema["types"] if not t["name"].startswith("__")}
    roots = {"query": schema["queryType"]["name"]}
    if mutations:
        roots["mutation"] = schema["mutationType"]["name"]
    walker = Walker(types)
    walk = Walk()
    for keyword, root in roots.items():
        for label, node in walker.operations(root):
            _ask(client, keyword, label, node, walk, token)
    assert walker.visited == reachable_fields(types, list(roots.values()))
    return walk, walker


def test_an_anonymous_walk_of_the_whole_schema_finds_no_personal_data(
    client: httpx.Client, staff_have_read_the_profiles: None
) -> None:
    walk, walker = _walk(client, mutations=True)
    assert walk.found == {}
    assert walk.answered > 20
    # It went everywhere (every field of every type reachable from the roots, above).
    assert {"Query.citizen", "CitizenProfile.cedula", "Me.accessLog", "Mutation.exportMyData"} <= (
        walker.visited
    )


def test_the_same_walk_signed_in_as_maria_finds_hers_and_only_hers(
    client: httpx.Client, hub: PrivacyHub, staff_have_read_the_profiles: None
) -> None:
    """The control: the walk does reach personal data where it may be seen."""
    walk, _ = _walk(client, hub.token("maria"), mutations=False)
    found = set().union(*walk.found.values())
    assert {"maria's name", "maria's cedula", "maria's phone", "maria's email"} <= found
    assert {hit for hit in found if not hit.startswith("maria's")} == set()
