"""The hub's own store as a connector kind (`native`), for municipalities with no system."""

from connectors.native.connector import NativeConnector, NativeSourceConfig

__all__ = ["NativeConnector", "NativeSourceConfig"]
