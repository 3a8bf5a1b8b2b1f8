"""Python hooks: the escape hatch for a system that declarative mapping cannot describe.

A hook receives the raw source row and the mapped record and returns the record to use.
Hooks are registered by name, in code (`register_hook(name, function)`, or the decorator
`@record_hook("name")`) or through the `planasmun.hooks` entry-point group, and named by a
binding's `hook` key. A hook must be registered before the municipality files that name it
are loaded (`check-config` and start-up look every name up).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import Any

RecordHook = Callable[[Mapping[str, Any], dict[str, Any]], Mapping[str, Any]]

ENTRY_POINT_GROUP = "planasmun.hooks"
_HOOKS: dict[str, RecordHook] = {}


def register_hook(name: str, function: RecordHook) -> None:
    """Register `function` as the hook `name`, before the files that name it are loaded.

    Registering the same function again does nothing; a name already registered to another
    function is refused. A hook registered here is found before an entry point of its name.
    """
    registered = _HOOKS.get(name)
    if registered is function:
        return
    if registered is not None:
        raise ValueError(
            f"hook '{name}': expected a name not registered yet, found it registered to "
            f"{registered.__module__}.{registered.__qualname__}"
        )
    _HOOKS[name] = function


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
