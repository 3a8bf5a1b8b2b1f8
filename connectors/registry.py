"""Finds connector kinds by name: built-ins first, then the `planasmun.connectors` entry points."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from connectors.base import Connector
from connectors.errors import ConnectorConfigError

ENTRY_POINT_GROUP = "planasmun.connectors"

#: Built-in kinds as "module:Class", imported only when used.
_BUILTINS: dict[str, str] = {
    "native": "connectors.native:NativeConnector",
    "ocds": "connectors.ocds:OcdsConnector",
    "rest": "connectors.rest:RestConnector",
    "soap": "connectors.soap:SoapConnector",
    "spreadsheet": "connectors.spreadsheet:SpreadsheetConnector",
    "sql": "connectors.sql:SqlConnector",
}


class UnknownConnectorKind(ConnectorConfigError):
    def __init__(self, kind: str, known: list[str]) -> None:
        super().__init__(f"unknown connector '{kind}'; known: {', '.join(known)}")
        self.kind = kind
        self.known = known


class ConnectorRegistry:
    """Resolves a kind name to its class; the result is cached per registry."""

    def __init__(self) -> None:
        self._loaded: dict[str, type[Connector]] = {}
        self._extra: dict[str, type[Connector]] = {}

    def register(self, connector_class: type[Connector]) -> None:
        """Add a kind programmatically (tests, embedding applications)."""
        self._extra[connector_class.kind] = connector_class

    def known_kinds(self) -> list[str]:
        names = set(_BUILTINS) | set(self._extra)
        names.update(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))
        return sorted(names)

    def get(self, kind: str) -> type[Connector]:
        if kind in self._loaded:
            return self._loaded[kind]
        connector_class = self._find(kind)
        if connector_class is None:
            raise UnknownConnectorKind(kind, self.known_kinds())
        self._loaded[kind] = connector_class
        return connector_class

    def _find(self, kind: str) -> type[Connector] | None:
        if kind in self._extra:
            return self._extra[kind]
        if kind in _BUILTINS:
            module_name, _, class_name = _BUILTINS[kind].partition(":")
            found: type[Connector] = getattr(importlib.import_module(module_name), class_name)
            return found
        for entry_point in entry_points(group=ENTRY_POINT_GROUP, name=kind):
            loaded = entry_point.load()
            if isinstance(loaded, type) and issubclass(loaded, Connector):
                return loaded
            raise ConnectorConfigError(
                f"entry point '{kind}' in {ENTRY_POINT_GROUP} is not a Connector subclass"
            )
        return None


default_registry = ConnectorRegistry()
