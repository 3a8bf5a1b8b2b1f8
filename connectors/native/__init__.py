"""The hub's own store as a connector kind (`native`), its audit log and API keys."""

# Their tables join store.metadata (Alembic, tests).
from connectors.native import api_keys, audit
from connectors.native.connector import NativeConnector, NativeSourceConfig

__all__ = ["NativeConnector", "NativeSourceConfig", "api_keys", "audit"]
