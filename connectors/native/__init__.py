"""The hub's own store as a connector kind (`native`), and its audit log."""

from connectors.native import audit  # its tables join store.metadata (Alembic, tests)
from connectors.native.connector import NativeConnector, NativeSourceConfig

__all__ = ["NativeConnector", "NativeSourceConfig", "audit"]
