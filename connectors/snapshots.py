"""Last known answers that outlive the process: the durable side of the stale fallback.

The binding cache (`connectors.cache`) lives in one process. When a source fails, the
dispatcher answers from it, marked stale; but a worker that never read that source before
the outage, or a hub restarted during it, has nothing to fall back on, and a government
whose catalogue source is down could then take no requests at all (submitting checks the
service against the catalogue). A `SnapshotStore` keeps the last good answer of each cached
read where every worker, and the next start, can find it.

Only public capabilities are ever kept (`KEPT_CAPABILITIES`): the same data anyone may read
through the API. Values are stored as tagged JSON (`encode`/`decode`): exact decimals,
dates and times come back as they were, and nothing is unpickled from a database.
"""

from __future__ import annotations

from connectors.types import Capability
from store.snapshot_values import NotStorable, Snapshot, SnapshotStore, decode, encode

__all__ = [
    "KEPT_CAPABILITIES",
    "NotStorable",
    "Snapshot",
    "SnapshotStore",
    "decode",
    "encode",
]

#: Capabilities whose answers may be kept: public records only. Requests, suggestions and
#: help-desk conversations can hold personal data and never are.
KEPT_CAPABILITIES = frozenset(
    {
        Capability.SERVICES,
        Capability.DEPARTMENTS,
        Capability.BUDGET,
        Capability.WORKS,
        Capability.PROCUREMENT,
        Capability.TRANSACTIONS,
        Capability.CONSULTATIONS,
    }
)
