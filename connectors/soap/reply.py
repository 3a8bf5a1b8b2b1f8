"""Reading a SOAP answer's records straight from the XML, guided by zeep's model of it.

zeep turns an answer into `CompoundValue`s by walking its XSD objects generically, and the
connector then turns those into dicts (`serialize_object`). For the shapes vendors' record
lists take — nested sequences of elements with simple-typed leaves — a plan compiled once
per operation from the same XSD objects gives the same dicts several times faster: each
leaf is converted by its zeep type's own `pythonvalue`, missing elements take zeep's own
default values, and the wrapper elements are unwrapped as zeep's `SoapMessage.deserialize`
does.

The plan never guesses. It is not compiled for an operation whose output uses anything
else (choices, `all` groups, wildcards, attributes, simple content, list and union types,
SOAP-encoded arrays, RPC style,
output headers), and `read` gives up (returns `FALLBACK`) on any answer the plan does not
describe exactly: an attribute (`xsi:type`, `xsi:nil`), an element out of order, unknown,
repeated where it may not be, a required element skipped, a value its type rejects, a
foreign namespace. The caller then lets zeep process the answer as before, so faults,
errors and odd answers behave exactly as with zeep alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Final

from zeep.wsdl.messages.soap import DocumentMessage
from zeep.xsd.elements.element import Element
from zeep.xsd.elements.indicators import Sequence
from zeep.xsd.types.complex import ComplexType
from zeep.xsd.types.simple import AnySimpleType


class _Fallback:
    def __repr__(self) -> str:
        return "FALLBACK"


#: `read` could not vouch for the answer: let zeep process it.
FALLBACK: Final[Any] = _Fallback()


class _Unsupported(Exception):
    """A construct the plan does not cover: no plan for this operation."""


class _GiveUp(Exception):
    """An answer the plan does not describe exactly."""


@dataclasses.dataclass(slots=True)
class _Child:
    index: int
    name: str
    namespace: str | None
    plan: _Plan
    multiple: bool
    required: bool


@dataclasses.dataclass(slots=True)
class _Plan:
    """How to read one element: a simple value (`convert`) or a complex one (`children`)."""

    convert: Callable[[str], Any] | None = None
    children: dict[str, _Child] = dataclasses.field(default_factory=dict)
    #: The children by position in the sequence.
    ordered: list[_Child] = dataclasses.field(default_factory=list)
    #: Children already matched by their full tag (`{namespace}local` or `local`).
    by_tag: dict[str, _Child] = dataclasses.field(default_factory=dict)
    #: Names and zeep's default values, in the type's order.
    defaults: list[tuple[str, Any]] = dataclasses.field(default_factory=list)
    #: The type has exactly one element and no attributes (zeep unwraps such a value).
    single: str | None = None


def _compile_type(xsd_type: Any, seen: dict[int, _Plan | None]) -> _Plan:
    key = id(xsd_type)
    if key in seen:
        plan = seen[key]
        if plan is None:
            raise _Unsupported("recursive type")
        return plan
    seen[key] = None
    if (
        isinstance(xsd_type, AnySimpleType)
        and type(xsd_type).parse_xmlelement is AnySimpleType.parse_xmlelement
    ):
        plan = _Plan(convert=xsd_type.pythonvalue)  # what zeep's parse_xmlelement calls
    elif (
        isinstance(xsd_type, ComplexType)
        and type(xsd_type).parse_xmlelement is ComplexType.parse_xmlelement
    ):  # the WSDL's types are dynamic subclasses (zeep.xsd.dynamic_types)
        plan = _compile_complex(xsd_type, seen)
    else:
        raise _Unsupported(type(xsd_type).__name__)
    seen[key] = plan
    return plan


def _compile_complex(xsd_type: ComplexType, seen: dict[int, _Plan | None]) -> _Plan:
    if xsd_type.attributes or getattr(xsd_type, "_array_type", None):
        raise _Unsupported("attributes or arrays")
    nested = xsd_type.elements_nested
    if not nested:
        return _Plan(single=None)  # an empty complexType: zeep reads it as None
    if len(nested) != 1 or type(nested[0][1]) is not Sequence:
        raise _Unsupported("not a plain sequence")
    indicator = nested[0][1]
    if indicator.accepts_multiple:
        raise _Unsupported("repeated sequence")
    plan = _Plan()
    for index, (name, element) in enumerate(indicator.elements):
        if type(element) is not Element:
            raise _Unsupported(type(element).__name__)
        local = element.qname.localname
        if local in plan.children:
            raise _Unsupported("two elements with one local name")
        child = plan.children[local] = _Child(
            index=index,
            name=name,
            namespace=element.qname.namespace or None,
            plan=_compile_type(element.type, seen),
            multiple=element.accepts_multiple,
            required=not element.is_optional,
        )
        plan.ordered.append(child)
        plan.defaults.append((name, element.default_value))
    if len(plan.defaults) == 1:
        plan.single = plan.defaults[0][0]
    return plan


@dataclasses.dataclass(frozen=True, slots=True)
class ReplyPlan:
    """How to read one operation's answer; `read` gives what zeep + serialize_object give."""

    body: _Plan
    wrapped: bool
    body_tag: str

    def read(self, envelope: Any) -> Any:
        body = envelope.find(self.body_tag)
        if body is None:
            return FALLBACK
        if not self.wrapped:
            first = next(body.iterchildren(), None)
            if first is None:
                return FALLBACK
            body = first
        try:
            value = _read(body, self.body)
        except _GiveUp:
            return FALLBACK
        return _unwrap(value, self.body)


def compile_reply(operation: Any) -> ReplyPlan | None:
    """The plan for a bound operation's answer, or None where zeep must read it."""
    message: Any = getattr(operation, "output", None)
    if type(message) is not DocumentMessage or not message.envelope:
        return None
    body_element = message.body
    if message.header is None or message.header.type._element or body_element is None:
        return None
    try:
        body = _compile_type(body_element.type, {})
    except _Unsupported:
        return None
    if body.convert is not None:
        return None
    envelope_ns = message.nsmap["soap-env"]
    return ReplyPlan(body, bool(message._is_body_wrapped), f"{{{envelope_ns}}}Body")


#: Tags remembered per complex type, at most this many times its number of children (a
#: child without a namespace in the schema matches its local name in any namespace).
_TAGS_PER_CHILD = 4


def _child_for(plan: _Plan, tag: str) -> _Child:
    """The child an element's tag names, or `_GiveUp` (unknown, or a foreign namespace)."""
    namespace, _, local = tag[1:].rpartition("}") if tag[0] == "{" else ("", "", tag)
    spec = plan.children.get(local)
    if spec is None or (namespace and spec.namespace and namespace != spec.namespace):
        raise _GiveUp
    if len(plan.by_tag) < _TAGS_PER_CHILD * len(plan.children):
        plan.by_tag[tag] = spec
    return spec


def _leaf(node: Any, convert: Callable[[str], Any]) -> Any:
    if node.attrib or len(node):
        raise _GiveUp  # xsi:nil, attributes, or children where a value belongs
    text = node.text
    if text is None:
        return None
    try:
        return convert(text)
    except (TypeError, ValueError):
        raise _GiveUp from None  # zeep logs it and gives None: let it


def _read(node: Any, plan: _Plan) -> Any:
    """One element's value as zeep + `serialize_object` give it; `_GiveUp` where unsure.

    This runs for every element of every answer, so leaves are read inline and a child's
    tag is looked up once per distinct tag (`_child_for` checks its name and namespace).
    """
    if node.attrib:
        raise _GiveUp  # xsi:type, xsi:nil, attributes: zeep knows what to do
    convert = plan.convert
    if convert is not None:
        return _leaf(node, convert)
    if not plan.defaults:
        if len(node):
            raise _GiveUp
        return None
    if not len(node):
        return None  # no children, no attributes: zeep reads None
    by_tag = plan.by_tag
    found: dict[str, Any] = {}
    last = -1  # the position of the last element read; positions never go back
    for child in node.iterchildren():
        tag = child.tag
        spec = by_tag.get(tag)
        if spec is None:
            if not isinstance(tag, str):
                continue  # processing instructions (comments are removed by the parser)
            spec = _child_for(plan, tag)
        index = spec.index
        if index != last:
            if index < last:
                raise _GiveUp  # out of order
            if index > last + 1:
                for other in plan.ordered[last + 1 : index]:
                    if other.required:
                        raise _GiveUp  # a required element skipped: zeep raises
            last = index
        convert = spec.plan.convert
        if convert is None:
            value = _read(child, spec.plan)
        elif child.attrib or len(child):
            raise _GiveUp  # as in `_leaf`, inline: most elements are leaves
        elif (text := child.text) is None:
            value = None
        else:
            try:
                value = convert(text)
            except (TypeError, ValueError):
                raise _GiveUp from None
        if spec.multiple:
            found.setdefault(spec.name, []).append(value)
        elif spec.name in found:
            raise _GiveUp
        else:
            found[spec.name] = value
    return {
        name: found[name] if name in found else _copy(default) for name, default in plan.defaults
    }


def _copy(default: Any) -> Any:
    return [] if isinstance(default, list) else default


def _unwrap(value: Any, plan: _Plan) -> Any:
    """What zeep's `SoapMessage.deserialize` returns for the body's value, serialized."""
    if value is None or len(value) == 0:
        return None
    if len(value) > 1:
        return value
    ((name, inner),) = value.items()
    child = next(c for c in plan.children.values() if c.name == name)
    if isinstance(inner, dict) and not child.multiple and child.plan.single is not None:
        return inner[child.plan.single]
    return inner
