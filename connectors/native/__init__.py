"""The hub's own store as a connector kind (`native`)."""

from connectors.native.connector import NativeConnector, NativeSourceConfig

__all__ = ["NativeConnector", "NativeSourceConfig"]
