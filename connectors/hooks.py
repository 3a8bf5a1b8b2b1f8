"""Python hooks: the escape hatch for a system that declarative mapping cannot describe.

A hook receives the raw source row and the mapped record and returns the record to use.
Hooks are registered by name, in code (`@record_hook("name")`) or through the
`planasmun.hooks` entry-point group, and named by a binding's `hook` key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import Any

RecordHook = Callable[[Mapping[str, Any], dict[str, Any]], Mapping[str, Any]]

ENTRY_POINT_GROUP = "planasmun.hooks"
_HOOKS: dict[str, RecordHook] = {}


def record_hook(name: str) -> Callable[[RecordHook], RecordHook]:
    def register(function: RecordHook) -> RecordHook:
        _HOOKS[name] = function
        return function

    return register


def get_hook(name: str) -> RecordHook:
    if name in _HOOKS:
        return _HOOKS[name]
    for entry_point in entry_points(group=ENTRY_POINT_GROUP, name=name):
        hook: RecordHook = entry_point.load()
        _HOOKS[name] = hook
        return hook
    known = ", ".join(sorted(_HOOKS)) or "none registered"
    raise LookupError(f"expected a registered hook ({known}), found '{name}'")
