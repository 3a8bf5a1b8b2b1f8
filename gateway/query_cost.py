"""Query cost limit: an estimate of the work a query asks for, refused over a budget.

The cost model
--------------
Every field selected costs 1, times the number of times it can occur in the answer: the
product of the sizes of the lists that enclose it. A list field's size is

* its `first` argument when it has one (a literal, or a variable's value), clamped to
  0…`MAX_PAGE_SIZE`; when `first` is absent or null, `MAX_PAGE_SIZE` (200): the largest
  page a client may ask for, though an unpaged list may hold more;
* else a configured size for that field (`"Type.field"`): `Query.municipalities` is the
  number of governments on the hub, which the gateway passes in;
* else `default_list_size` (`MAX_PAGE_SIZE`).

So the cost is about the most values the answer can hold, which is what loads sources,
memory and the wire. `__typename` and introspection (`__schema`, `__type`) cost nothing:
they are bounded by the schema itself, and the explorer needs them. Fragments count where
they are spread; alternatives on different types (inline fragments) are all counted.

Example with the ten demo governments:
`{ municipalities { services(first: 200) { id name department { name } } } }`
= 1 (municipalities) + 10 × [1 (services) + 200 × (1 + 1 + 1 (department) + 1 (name))]
= 8011.

Like the depth and alias limits, it is measured once: per query text, operation and the
values of the variables that set list sizes (nothing else), without a validation rule of
its own, so the validation cache stays effective. It runs only on documents that passed
validation and the other limits, and fails before execution with `QUERY_TOO_COSTLY`.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Hashable, Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)
from graphql.type import GraphQLInterfaceType
from strawberry.extensions import SchemaExtension

from schema.paging import MAX_PAGE_SIZE

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


#: query text → names of the variables used as `first` (what the cost depends on).
_size_variables = _Lru(2048)
#: (model, query text, operation, size variables' values) → cost.
_costs = _Lru(4096)


def _page_variables(document: DocumentNode) -> tuple[str, ...]:
    names: set[str] = set()

    def visit(selections: SelectionSetNode | None) -> None:
        if selections is None:
            return
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                for argument in selection.arguments or ():
                    if argument.name.value == PAGE_ARGUMENT and isinstance(
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
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return min(max(value, 0), MAX_PAGE_SIZE)


class _Estimate:
    """One walk of one operation; fragments are costed once (cost is linear in size)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, int | None],
        list_sizes: Mapping[str, int],
        default_list_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.list_sizes = list_sizes
        self.default_list_size = default_list_size
        self._fragment_costs: dict[str, int] = {}
        self._in_progress: set[str] = set()

    def operation(self, operation: OperationDefinitionNode) -> int:
        root = {
            OperationType.QUERY: self.schema.query_type,
            OperationType.MUTATION: self.schema.mutation_type,
            OperationType.SUBSCRIPTION: self.schema.subscription_type,
        }[operation.operation]
        return self.selections(operation.selection_set, root)

    def selections(self, selection_set: SelectionSetNode | None, parent: Any) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, inner)
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
        cost = self.selections(definition.selection_set, parent)
        self._in_progress.discard(name)
        self._fragment_costs[name] = cost
        return cost

    def field(self, node: FieldNode, parent: Any) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 1
        definition = parent.fields.get(name)
        if definition is None:
            return 1
        field_type = definition.type
        if isinstance(field_type, GraphQLNonNull):
            field_type = field_type.of_type
        children = self.selections(node.selection_set, get_named_type(definition.type))
        if not isinstance(field_type, GraphQLList):
            return 1 + children
        return 1 + self.list_size(node, parent.name, name, PAGE_ARGUMENT in definition.args) * (
            children
        )

    def list_size(self, node: FieldNode, parent_name: str, name: str, paged: bool) -> int:
        if paged:
            for argument in node.arguments or ():
                if argument.name.value != PAGE_ARGUMENT:
                    continue
                value = argument.value
                if isinstance(value, VariableNode):
                    size = self.variables.get(value.name.value)
                elif isinstance(value, IntValueNode | NullValueNode):
                    size = _size_value(value_from_ast_untyped(value))
                else:
                    size = None
                return MAX_PAGE_SIZE if size is None else size
            return MAX_PAGE_SIZE
        return self.list_sizes.get(f"{parent_name}.{name}", self.default_list_size)


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
    estimate = _Estimate(schema, fragments, sizes, list_sizes or {}, default_list_size)
    return max((estimate.operation(o) for o in operations), default=0)


class QueryCost(SchemaExtension):
    """Refuses, before execution, a query whose estimated cost is over `maximum`.

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
        context = self.execution_context
        document, query = context.graphql_document, context.query
        if document is None or query is None:
            return None
        names = _size_variables.get(query)
        if names is None:
            names = _page_variables(document)
            _size_variables.put(query, names)
        variables = context.variables or {}
        sizes = tuple(_size_value(variables.get(n)) if n in variables else -1 for n in names)
        schema = context.schema._schema
        key = (id(schema), self._model, query, context.operation_name, sizes)
        cost: int | None = _costs.get(key)
        if cost is None:
            cost = estimate_cost(
                schema,
                document,
                operation_name=context.operation_name,
                variables={n: variables[n] for n in names if n in variables},
                list_sizes=self.list_sizes,
                default_list_size=self.default_list_size,
            )
            _costs.put(key, cost)
        return cost

    def _check(self) -> None:
        context = self.execution_context
        if context.pre_execution_errors:
            return  # already refused (invalid, too deep, too many aliases)
        cost = self.cost()
        if cost is None or cost <= self.maximum:
            return
        context.pre_execution_errors = [
            GraphQLError(
                f"La consulta es demasiado costosa: costo estimado {cost}, máximo "
                f"{self.maximum}. (Estimated cost {cost} exceeds the maximum of "
                f"{self.maximum}.)",
                extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "maximum": self.maximum},
            )
        ]
