"""Answers already decoded: the same reply bytes are read and mapped once.

Every read still calls the source (the binding cache decides whether a read may be
skipped; this does not). What is kept is the result of a pure function of what came
back: parsing the XML, reading it with the operation's plan, picking the records at the
binding's `result_path` and mapping them with the binding's mapper give the same records
for the same bytes, status and content type. A catalogue answer is the same bytes for
every citizen until an officer changes it, so most reads of a busy source skip about half
of their CPU (the parse, the plan and the mapping of a 12-service answer; see
`benchmarks/README.md`).

Only public capabilities come here (`connectors.snapshots.KEPT_CAPABILITIES`; today the
services and departments read through `SoapConnector`): the request writer's status reads
about a citizen never do, nor would a future read of anything personal. Bindings with
a Python hook are never kept (a hook may depend on more than the row it is given).
Errors are not kept: a reply that failed to decode is decoded again, and fails again,
each time. Entries are bounded by count and by the bytes of the replies they hold.
"""

from __future__ import annotations

import collections
from collections.abc import Hashable, Sequence

from connectors.types import Record

#: Replies larger than this are decoded every time (a big answer is rarely repeated).
MAX_REPLY_BYTES = 256 * 1024
#: Bounds over all the bindings of one connector.
MAX_ENTRIES = 256
MAX_TOTAL_BYTES = 16 * 1024 * 1024


class DecodedReplies:
    """An LRU of (binding, operation, reply) → the records decoded from it."""

    def __init__(
        self,
        max_entries: int = MAX_ENTRIES,
        max_total_bytes: int = MAX_TOTAL_BYTES,
        max_reply_bytes: int = MAX_REPLY_BYTES,
    ) -> None:
        self.max_entries = max_entries
        self.max_total_bytes = max_total_bytes
        self.max_reply_bytes = max_reply_bytes
        self._entries: collections.OrderedDict[
            tuple[Hashable, bytes], tuple[Sequence[Record], int]
        ] = collections.OrderedDict()
        self._bytes = 0

    def key(self, decoding: Hashable, content: bytes) -> tuple[Hashable, bytes] | None:
        """The entry's key; None for a reply too large to keep."""
        if len(content) > self.max_reply_bytes:
            return None
        return (decoding, content)

    def get(self, key: tuple[Hashable, bytes] | None) -> Sequence[Record] | None:
        if key is None:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, key: tuple[Hashable, bytes] | None, records: Sequence[Record]) -> None:
        if key is None:
            return
        size = len(key[1])
        previous = self._entries.pop(key, None)
        if previous is not None:
            self._bytes -= previous[1]
        self._entries[key] = (tuple(records), size)
        self._bytes += size
        while len(self._entries) > self.max_entries or self._bytes > self.max_total_bytes:
            _, (_, dropped) = self._entries.popitem(last=False)
            self._bytes -= dropped

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)
