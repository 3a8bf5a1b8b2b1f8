"""Operational metrics in Prometheus' format at `/metrics`.

Labels name municipalities, sources and connector kinds, never people: nothing a citizen
typed ever becomes a label. With several workers, set PROMETHEUS_MULTIPROC_DIR so that
every worker's counts are summed.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    generate_latest,
    multiprocess,
)
from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from starlette.requests import Request
from starlette.responses import Response

from connectors import dispatch

UPSTREAM_CALLS = Counter(
    "planasmun_upstream_calls",
    "Calls made to municipalities' systems (attempts, retries included).",
    ["connector", "municipality", "source"],
)
UPSTREAM_FAILURES = Counter(
    "planasmun_upstream_failures",
    "Reads that failed after retries, by error code.",
    ["connector", "municipality", "source", "code"],
)

# The outbox (gateway/outbox_delivery): labelled by kind and municipality only. Every process
# counts the same shared outbox, so the gauges show the latest count, not a sum.
OUTBOX_PENDING = Gauge(
    "planasmun_outbox_pending",
    "Outbox items waiting to be delivered.",
    ["kind", "municipality"],
    multiprocess_mode="livemostrecent",
)
OUTBOX_FAILED = Gauge(
    "planasmun_outbox_failed",
    "Outbox items given up and kept for a person to review.",
    ["kind", "municipality"],
    multiprocess_mode="livemostrecent",
)
OUTBOX_DELIVERED = Counter(
    "planasmun_outbox_delivered",
    "Outbox items delivered (requests to a municipality's system, e-mails sent).",
    ["kind", "municipality"],
)
OUTBOX_RETRIED = Counter(
    "planasmun_outbox_retried",
    "Delivery attempts that failed for now and were rescheduled with backoff.",
    ["kind", "municipality"],
)
OUTBOX_GIVEN_UP = Counter(
    "planasmun_outbox_given_up",
    "Outbox items given up (then kept as failed for a person to review).",
    ["kind", "municipality"],
)
_OUTCOMES = {"delivered": OUTBOX_DELIVERED, "retried": OUTBOX_RETRIED, "failed": OUTBOX_GIVEN_UP}
_GAUGES = {"pending": OUTBOX_PENDING, "failed": OUTBOX_FAILED}


def outbox_outcome(kind: str, municipality: str, outcome: str) -> None:
    """Count one delivery attempt's outcome: delivered, retried or failed."""
    _OUTCOMES[outcome].labels(kind, municipality).inc()


def outbox_gauge(state: str, kind: str, municipality: str, count: int) -> None:
    """Set the number of `state` (pending or failed) items of a kind and municipality."""
    gauge = _GAUGES.get(state)
    if gauge is not None:
        gauge.labels(kind, municipality).set(count)


async def metrics_endpoint(request: Request) -> Response:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = DEFAULT_REGISTRY
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def _observe(kind: str, municipality: str, source: str, code: str | None) -> None:
    if code is None:
        UPSTREAM_CALLS.labels(kind, municipality, source).inc()
    else:
        UPSTREAM_FAILURES.labels(kind, municipality, source, code).inc()


def install() -> None:
    """Count upstream calls and failures; idempotent."""
    if _observe not in dispatch.observers:
        dispatch.observers.append(_observe)
