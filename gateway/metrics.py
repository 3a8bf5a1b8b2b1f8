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
