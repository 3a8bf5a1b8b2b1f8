"""The hub's own store as a connector kind (`native`), its audit log, API keys and
citizens' data."""

# Their tables join store.metadata (Alembic, tests).
from connectors.native import api_keys, audit, citizens
from connectors.native.connector import NativeConnector, NativeSourceConfig

__all__ = ["NativeConnector", "NativeSourceConfig", "api_keys", "audit", "citizens"]
