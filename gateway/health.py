"""`/healthz`: the process is up. `/readyz`: configuration loaded and each source checked."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connectors import SourceStatus
from gateway.hub import Hub


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


class Readiness:
    """Checks every source at most once per `readiness_cache_seconds` (probes are frequent)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._checked_at = 0.0

    async def endpoint(self, request: Request) -> Response:
        federation = self.hub.federation
        if time.monotonic() - self._checked_at >= self.hub.settings.readiness_cache_seconds:
            await federation.check_all()
            self._checked_at = time.monotonic()
        sources = []
        for municipality_id in sorted(federation.municipalities):
            for placed in federation.sources_of(municipality_id):
                health = placed.health
                sources.append(
                    {
                        "municipality": municipality_id,
                        "source": placed.name,
                        "connector": placed.connector.kind,
                        "status": health.status.value,
                        "checked_at": health.checked_at.isoformat() if health.checked_at else None,
                        "last_error_at": (
                            health.last_error_at.isoformat() if health.last_error_at else None
                        ),
                    }
                )
        ready = all(s["status"] == SourceStatus.OK.value for s in sources)
        body = {
            "status": "ready" if ready else "degraded",
            "municipalities": len(federation.municipalities),
            "sources": sources,
        }
        return JSONResponse(body, status_code=200 if ready else 503)
