"""Garbage-collector settings for a serving process, applied once the hub has started.

By the time the hub serves, a worker holds a few hundred thousand long-lived objects:
the Strawberry and graphql-core schemas, zeep's parsed WSDLs and XSD types, SQLAlchemy's
metadata, Jinja templates, pydantic models. CPython's cyclic collector walks all of them
on every full (oldest-generation) collection, and at the allocation rate of a busy worker
such collections come often: their time lands, a few milliseconds at a time, on whatever
request happened to allocate when one was due, in both CPU per request and the latency
tail.

`freeze_startup_objects` moves everything that exists after start-up into the permanent
generation (`gc.freeze`), which collections do not walk, after one collection so that
startup garbage is not kept. Objects created later are collected as usual, so a cycle made
while serving is still freed. The young generation's threshold is raised from 700 to
`YOUNG_THRESHOLD` allocations, so that a request's short-lived objects (most of them freed
by reference counting anyway) are not scanned several times per request.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger("planasmun.gc")

#: Allocations (net of deallocations) before a young-generation collection (CPython: 700).
YOUNG_THRESHOLD = 50_000


def freeze_startup_objects() -> None:
    """Collect once, then leave every object alive now out of future collections."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    log.info("gc: %d start-up objects frozen", gc.get_freeze_count())
