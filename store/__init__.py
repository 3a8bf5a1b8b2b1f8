"""The hub's own store: the tables and services the hub itself owns (the `native`
connector's services, the audit log, API keys, citizens' data), under Alembic migrations.

The schema layer reaches the store through these services, never through a connector.
"""

# Their tables join store.metadata (Alembic, tests).
from store import api_keys, audit, citizens, outbox, requests, snapshots, store

__all__ = ["api_keys", "audit", "citizens", "outbox", "requests", "snapshots", "store"]
