"""Query cost limit: an estimate of the work a query asks for, refused over a budget.

The cost model
--------------
Every field selected costs 1, times the number of times it can occur in the answer: the
product of the sizes of the lists that enclose it. A list field's size is, in the spirit
of the GraphQL Cost specification's `@listSize` (declared next to each list field in the
schema, see `schema.paging.ListSize`, and printed in the SDL):

* the value of its slicing argument (`first`) when the query gives one (a literal, or a
  variable's value), clamped to 0…`MAX_PAGE_SIZE`; when absent, the argument's default
  in the schema (`myServiceRequests(first: Int = 50)` is 50); a list of keys slices by
  its length (`serviceRequests(trackingNumbers: ["A", "B"])` holds 2);
* else, for a list a parent field sizes (`municipalityAuditLog(first:) { entries }`:
  `sizedFields`), the parent's slicing argument;
* else a size the gateway passes in for that field (`"Type.field"`), from what the hub
  knows: `Query.municipalities` is the number of governments on the hub;
* else the field's `assumedSize`: what the list holds when nothing slices it (a
  government's sources: one per capability at most; its services: 50);
* else `default_list_size` (`MAX_PAGE_SIZE`), for a list that declares nothing.

So the cost is about the most values the answer can hold, which is what loads sources,
memory and the wire. `__typename` and introspection (`__schema`, `__type`) cost nothing:
they are bounded by the schema itself, and the explorer needs them. Fragments count where
they are spread; alternatives on different types (inline fragments) are all counted.

Example with the ten demo governments:
`{ municipalities { id kind services { id } sources { name connector status } } }`
= 1 (municipalities) + 10 × [1 + 1 + (1 + 50 × 1) (services) + (1 + 10 × 3) (sources)]
= 841, and `{ municipalities { services(first: 200) { id name department { name } } } }`
= 1 + 10 × [1 + 200 × (1 + 1 + 1 (department) + 1 (name))] = 8011.

A refusal names the costliest part of the query: from the root, the costliest field
(fields of the same name under aliases and fragments taken together), then its costliest
child with fields of its own for as long as that child holds more than half of the cost, e.g.
`municipalities.services` (8010).

Like the depth and alias limits, it is measured once: per query text, operation and the
values of the variables that set list sizes (nothing else), without a validation rule of
its own, so the validation cache stays effective. It runs only on documents that passed
validation and the other limits, and fails before execution with `QUERY_TOO_COSTLY`.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import weakref
from collections.abc import Hashable, Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    value_from_ast_untyped,
)
from graphql.type import GraphQLInterfaceType
from strawberry.extensions import SchemaExtension

from schema.paging import MAX_PAGE_SIZE, ListSize
from words import Message

DEFAULT_MAX_COST = 5000
PAGE_ARGUMENT = "first"


class _Lru:
    """A small bounded LRU keyed by hashable values (documents are compared by text)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: collections.OrderedDict[Hashable, Any] = collections.OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            self.misses += 1
            return None

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)


#: (query text, slicing argument names) → names of the variables that slice lists.
_size_variables = _Lru(2048)
#: (schema, model, query text, operation, size variables' values) → CostEstimate.
_costs = _Lru(4096)


@dataclasses.dataclass(frozen=True, slots=True)
class Sizing:
    """A list field's `@listSize`: what sizes it when the query does not slice it."""

    assumed: int | None = None
    slicing: tuple[str, ...] = ()
    sized: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class SchemaSizes:
    """Every field's declared sizing (`(type, field)` → Sizing) and the slicing names."""

    fields: Mapping[tuple[str, str], Sizing]
    slicing_names: frozenset[str]


_schema_sizes: weakref.WeakKeyDictionary[GraphQLSchema, SchemaSizes] = weakref.WeakKeyDictionary()
_schema_sizes_lock = threading.Lock()


def _declared(field: GraphQLField) -> Sizing | None:
    definition = (field.extensions or {}).get("strawberry-definition")
    for directive in getattr(definition, "directives", None) or ():
        if isinstance(directive, ListSize):
            assumed = directive.assumed_size
            return Sizing(
                assumed=assumed if isinstance(assumed, int) else None,
                slicing=tuple(directive.slicing_arguments or ()),
                sized=tuple(directive.sized_fields or ()),
            )
    return None


def schema_sizes(schema: GraphQLSchema) -> SchemaSizes:
    """The `@listSize` of every field of `schema` (read once per schema)."""
    found = _schema_sizes.get(schema)
    if found is not None:
        return found
    fields: dict[tuple[str, str], Sizing] = {}
    for type_name, named in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(
            named, GraphQLObjectType | GraphQLInterfaceType
        ):
            continue
        for field_name, field in named.fields.items():
            sizing = _declared(field)
            if sizing is None and PAGE_ARGUMENT in field.args:
                sizing = Sizing(slicing=(PAGE_ARGUMENT,))  # paged, nothing declared
            if sizing is not None:
                fields[type_name, field_name] = sizing
    names = frozenset(n for s in fields.values() for n in s.slicing) | {PAGE_ARGUMENT}
    found = SchemaSizes(fields, names)
    with _schema_sizes_lock:
        _schema_sizes[schema] = found
    return found


def _slicing_variables(document: DocumentNode, slicing_names: frozenset[str]) -> tuple[str, ...]:
    names: set[str] = set()

    def visit(selections: SelectionSetNode | None) -> None:
        if selections is None:
            return
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                for argument in selection.arguments or ():
                    if argument.name.value in slicing_names and isinstance(
                        argument.value, VariableNode
                    ):
                        names.add(argument.value.name.value)
            if isinstance(selection, FieldNode | InlineFragmentNode):
                visit(selection.selection_set)

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            visit(definition.selection_set)
    return tuple(sorted(names))


def _size_value(value: object) -> int | None:
    """A slicing argument's size: a count (`first: 20`), or the length of a list of keys
    (`serviceRequests(trackingNumbers: [...])` answers one item per number asked)."""
    if isinstance(value, list | tuple):
        return min(len(value), MAX_PAGE_SIZE)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return min(max(value, 0), MAX_PAGE_SIZE)


@dataclasses.dataclass(frozen=True, slots=True)
class CostEstimate:
    """An operation's estimated cost and, when asked for, its costliest part."""

    cost: int
    #: Field names from the root, e.g. `municipalities.services.department`.
    costliest_path: str | None = None
    costliest_cost: int | None = None


_Sized = tuple[tuple[str, int], ...]
#: A field where it occurs: the node, its parent type, the sizes its parent set.
_Place = tuple[FieldNode, GraphQLNamedType, _Sized]


class _Estimate:
    """One walk of one operation; a field node is costed once per place (cost is linear in
    the number of times it occurs)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, int | None],
        list_sizes: Mapping[str, int],
        default_list_size: int,
    ) -> None:
        self.schema = schema
        self.sizes = schema_sizes(schema)
        self.fragments = fragments
        self.variables = variables
        self.list_sizes = list_sizes
        self.default_list_size = default_list_size
        self._field_costs: dict[tuple[int, str, _Sized], int] = {}
        self._fragment_costs: dict[str, int] = {}
        self._expansions: dict[str, dict[tuple[int, str], tuple[_Place, int]]] = {}
        self._in_progress: set[str] = set()

    def root(self, operation: OperationDefinitionNode) -> GraphQLObjectType | None:
        return {
            OperationType.QUERY: self.schema.query_type,
            OperationType.MUTATION: self.schema.mutation_type,
            OperationType.SUBSCRIPTION: self.schema.subscription_type,
        }[operation.operation]

    def operation(self, operation: OperationDefinitionNode) -> int:
        return self.selections(operation.selection_set, self.root(operation), ())

    def selections(self, selection_set: SelectionSetNode | None, parent: Any, sized: _Sized) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, sized)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, inner, sized)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
        return total

    def fragment(self, name: str) -> int:
        if name in self._fragment_costs:
            return self._fragment_costs[name]
        definition = self.fragments.get(name)
        if definition is None or name in self._in_progress:
            return 0  # unknown or cyclic: validation refuses such documents anyway
        self._in_progress.add(name)
        parent = self.schema.get_type(definition.type_condition.name.value)
        cost = self.selections(definition.selection_set, parent, ())
        self._in_progress.discard(name)
        self._fragment_costs[name] = cost
        return cost

    def definition(self, node: FieldNode, parent: Any) -> GraphQLField | None:
        if node.name.value.startswith("__"):
            return None
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return None
        found: GraphQLField | None = parent.fields.get(node.name.value)
        return found

    def field(self, node: FieldNode, parent: Any, sized: _Sized) -> int:
        if node.name.value.startswith("__"):
            return 0
        key = (id(node), getattr(parent, "name", ""), sized)
        cost = self._field_costs.get(key)
        if cost is None:
            definition = self.definition(node, parent)
            if definition is None:
                cost = 1
            else:
                size, child_sized = self.sizes_of(node, parent.name, definition, sized)
                child_type = get_named_type(definition.type)
                cost = 1 + size * self.selections(node.selection_set, child_type, child_sized)
            self._field_costs[key] = cost
        return cost

    def sizes_of(
        self, node: FieldNode, parent_name: str, definition: GraphQLField, sized: _Sized
    ) -> tuple[int, _Sized]:
        """How many times the field's selections occur per occurrence of the field (1 for a
        non-list), and the sizes it sets for its own list fields (`sizedFields`)."""
        name = node.name.value
        sizing = self.sizes.fields.get((parent_name, name), Sizing())
        sliced = self.sliced(node, definition, sizing.slicing)
        child_sized: _Sized = ()
        if sizing.sized and sliced is not None:
            child_sized = tuple((field, sliced) for field in sizing.sized)
        field_type = definition.type
        if isinstance(field_type, GraphQLNonNull):
            field_type = field_type.of_type
        if not isinstance(field_type, GraphQLList):
            return 1, child_sized
        if sliced is not None and not sizing.sized:
            return sliced, child_sized
        for field, size in sized:
            if field == name:
                return size, child_sized
        configured = self.list_sizes.get(f"{parent_name}.{name}")
        if configured is not None:
            return configured, child_sized
        if sizing.assumed is not None:
            return sizing.assumed, child_sized
        return self.default_list_size, child_sized

    def sliced(
        self, node: FieldNode, definition: GraphQLField, slicing: tuple[str, ...]
    ) -> int | None:
        """The largest size the slicing arguments set (given, or their defaults)."""
        sizes: list[int] = []
        given = {a.name.value: a.value for a in node.arguments or ()}
        for name in slicing:
            argument = definition.args.get(name)
            if argument is None:
                continue
            value = given.get(name)
            size: int | None
            if isinstance(value, VariableNode) and value.name.value in self.variables:
                size = self.variables[value.name.value]
            elif isinstance(value, IntValueNode | NullValueNode | ListValueNode):
                size = _size_value(value_from_ast_untyped(value))
            elif value is None or isinstance(value, VariableNode):
                # Not given (or a variable not given): the argument's default applies.
                default = argument.default_value
                size = None if default is Undefined else _size_value(default)
            elif is_list_type(get_nullable_type(argument.type)):
                size = 1  # one value where a list is expected is a list of one (coercion)
            else:
                size = None
            if size is not None:
                sizes.append(size)
        return max(sizes) if sizes else None

    # --- the costliest part, for the refusal --------------------------------------------

    def costliest(self, operation: OperationDefinitionNode) -> tuple[str, int]:
        level = self.places(operation.selection_set, self.root(operation), (), 1)
        path: list[str] = []
        current: int | None = None
        while level:
            totals: dict[str, int] = {}
            for (node, parent, sized), times in level.values():
                if node.selection_set is not None:  # a list or object, not a leaf
                    cost = times * self.field(node, parent, sized)
                    totals[node.name.value] = totals.get(node.name.value, 0) + cost
            if not totals:
                break
            name = max(totals, key=lambda n: totals[n])  # the first of equals
            if current is not None and 2 * totals[name] <= current:
                break
            path.append(name)
            current = totals[name]
            below: dict[tuple[int, str], tuple[_Place, int]] = {}
            for (node, parent, sized), times in level.values():
                definition = self.definition(node, parent)
                if node.name.value != name or definition is None:
                    continue
                size, child_sized = self.sizes_of(node, parent.name, definition, sized)
                child_type = get_named_type(definition.type)
                places = self.places(node.selection_set, child_type, child_sized, times * size)
                _merge(below, places, 1)
            level = below
        return ".".join(path), current or 0

    def places(
        self, selection_set: SelectionSetNode | None, parent: Any, sized: _Sized, times: int
    ) -> dict[tuple[int, str], tuple[_Place, int]]:
        """The fields of a selection set (through fragments), each with how often it
        occurs; a field spread twice occurs twice."""
        found: dict[tuple[int, str], tuple[_Place, int]] = {}
        if selection_set is None:
            return found
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                place: _Place = (selection, parent, sized)
                _merge(found, {(id(selection), getattr(parent, "name", "")): (place, 1)}, times)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                _merge(found, self.places(selection.selection_set, inner, sized, 1), times)
            elif isinstance(selection, FragmentSpreadNode):
                _merge(found, self.fragment_places(selection.name.value), times)
        return found

    def fragment_places(self, name: str) -> dict[tuple[int, str], tuple[_Place, int]]:
        if name in self._expansions:
            return self._expansions[name]
        definition = self.fragments.get(name)
        if definition is None or name in self._in_progress:
            return {}
        self._in_progress.add(name)
        parent = self.schema.get_type(definition.type_condition.name.value)
        found = self.places(definition.selection_set, parent, (), 1)
        self._in_progress.discard(name)
        self._expansions[name] = found
        return found


def _merge(
    into: dict[tuple[int, str], tuple[_Place, int]],
    places: Mapping[tuple[int, str], tuple[_Place, int]],
    times: int,
) -> None:
    for key, (place, count) in places.items():
        before = into.get(key)
        into[key] = (place, count * times + (before[1] if before else 0))


def estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None = None,
    variables: Mapping[str, object] | None = None,
    list_sizes: Mapping[str, int] | None = None,
    default_list_size: int = MAX_PAGE_SIZE,
    explain: bool = False,
) -> CostEstimate:
    """The estimate for the operation that runs (the costliest one if unnamed); with
    `explain`, also its costliest part."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    sizes = {name: _size_value(value) for name, value in (variables or {}).items()}
    # A variable's default counts when the request does not give it.
    for operation in operations:
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in sizes and definition.default_value is not None:
                sizes[name] = _size_value(value_from_ast_untyped(definition.default_value))
    walk = _Estimate(schema, fragments, sizes, list_sizes or {}, default_list_size)
    costs = [(walk.operation(o), o) for o in operations]
    if not costs:
        return CostEstimate(0)
    cost, costliest = max(costs, key=lambda c: c[0])
    if not explain:
        return CostEstimate(cost)
    path, part = walk.costliest(costliest)
    return CostEstimate(cost, path, part)


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None = None,
    variables: Mapping[str, object] | None = None,
    list_sizes: Mapping[str, int] | None = None,
    default_list_size: int = MAX_PAGE_SIZE,
) -> int:
    """The estimated cost of the operation that runs (the costliest one if unnamed)."""
    return estimate(
        schema,
        document,
        operation_name=operation_name,
        variables=variables,
        list_sizes=list_sizes,
        default_list_size=default_list_size,
    ).cost


class QueryCost(SchemaExtension):
    """Refuses, before execution, a query whose estimated cost is over `maximum`.

    `list_sizes` ("Type.field" → size) are what the hub knows that the schema cannot, e.g.
    its number of governments; the rest comes from the schema's `@listSize`.

    Must come after ValidationCache and QueryLimits in the extension list: it only costs
    documents that passed them.
    """

    def __init__(
        self,
        *,
        maximum: int = DEFAULT_MAX_COST,
        list_sizes: Mapping[str, int] | None = None,
        default_list_size: int = MAX_PAGE_SIZE,
    ) -> None:
        super().__init__()
        self.maximum = maximum
        self.list_sizes = dict(list_sizes or {})
        self.default_list_size = default_list_size
        self._model = (tuple(sorted(self.list_sizes.items())), default_list_size)

    def on_validate(self) -> Iterator[None]:
        self._check()
        yield

    def cost(self) -> int | None:
        """The current operation's estimated cost (measured once per text and sizes)."""
        found = self._estimate(explain=False)
        return None if found is None else found.cost

    def _estimate(self, *, explain: bool) -> CostEstimate | None:
        context = self.execution_context
        document, query = context.graphql_document, context.query
        if document is None or query is None:
            return None
        schema = context.schema._schema
        slicing_names = schema_sizes(schema).slicing_names
        names = _size_variables.get((query, slicing_names))
        if names is None:
            names = _slicing_variables(document, slicing_names)
            _size_variables.put((query, slicing_names), names)
        variables = context.variables or {}
        sizes = tuple(_size_value(variables.get(n)) if n in variables else -1 for n in names)
        key = (id(schema), self._model, query, context.operation_name, sizes)
        found: CostEstimate | None = _costs.get(key)
        if found is None or (explain and found.costliest_path is None):
            found = estimate(
                schema,
                document,
                operation_name=context.operation_name,
                variables={n: variables[n] for n in names if n in variables},
                list_sizes=self.list_sizes,
                default_list_size=self.default_list_size,
                explain=explain,
            )
            _costs.put(key, found)
        return found

    def _check(self) -> None:
        context = self.execution_context
        if context.pre_execution_errors:
            return  # already refused (invalid, too deep, too many aliases)
        cost = self.cost()
        if cost is None or cost <= self.maximum:
            return
        found = self._estimate(explain=True)
        assert found is not None
        path, part = found.costliest_path or "", found.costliest_cost or 0
        # One message for both languages: Spanish, then English in parentheses.
        refusal = Message(
            "gateway",
            "Estimated cost %(cost)s exceeds the maximum of %(maximum)s; the costliest part is "
            "%(path)s (%(part)s).",
            {"cost": cost, "maximum": self.maximum, "path": path, "part": part},
        )
        context.pre_execution_errors = [
            GraphQLError(
                f"{refusal.es} ({refusal.en})",
                extensions={
                    "code": "QUERY_TOO_COSTLY",
                    "cost": cost,
                    "maximum": self.maximum,
                    "costliest": {"path": path, "cost": part},
                },
            )
        ]
