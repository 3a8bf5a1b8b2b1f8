"""The running hub: settings, the schema, and (once started) the federation of sources."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from connectors import (
    Capability,
    ConnectorEnvironment,
    Federation,
    Municipality,
    load_directory,
)
from connectors.native.seed import seed_catalogues
from gateway.events import events_for
from gateway.limits import schema_extensions
from gateway.response_cache import ResponseCache
from gateway.settings import CONFIG_DIR, Settings, export_demo_defaults
from schema import HubContext, build_schema
from schema.developers.keys import ApiKeys
from schema.requests.forms import load_request_forms
from store.audit import AuditLog
from store.citizens import CitizenStore
from store.migrate import upgrade_async
from store.outbox import Outbox
from store.requests import RequestStore
from store.snapshots import HubSnapshots
from store.store import create_engine

log = logging.getLogger("planasmun.hub")


class HubNotStarted(RuntimeError):
    pass


class Hub:
    """Built before the server starts (so bad files stop it early), opened at start-up."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        export_demo_defaults(settings)
        # Validate every municipality file now: nothing starts half-configured.
        self.municipalities: dict[str, Municipality] = load_directory(settings.municipalities_dir)
        #: The services' own request fields; a bad file stops the hub here, like the above.
        self.request_forms = load_request_forms(settings.request_forms_file)
        #: Live updates of requests (Redis pub/sub when configured, else this process).
        self.events = events_for(settings.redis_url)
        self._publishing: set[asyncio.Task[None]] = set()
        self.schema: strawberry.Schema = build_schema(
            schema_extensions(settings, municipality_count=len(self.municipalities))
        )
        self._federation: Federation | None = None
        self._store: AsyncEngine | None = None
        self._audit_log: AuditLog | None = None
        self._citizens: CitizenStore | None = None
        self._requests: RequestStore | None = None
        self._outbox: Outbox | None = None
        #: Set by the app; writes call `response_cache.invalidate()`.
        self.response_cache: ResponseCache | None = None
        #: Told the tracking number after every committed change to a request (the
        #: delivery worker wakes up on it).
        self.request_listeners: list[Callable[[str], None]] = []
        #: Developers' API keys, in the hub store (its engine opens on first use).
        self.api_keys = ApiKeys(settings.database_url)

    @property
    def federation(self) -> Federation:
        if self._federation is None:
            raise HubNotStarted("the hub has not been started")
        return self._federation

    @property
    def audit_log(self) -> AuditLog:
        """The audit log of personal-data access, in the hub store."""
        if self._audit_log is None:
            raise HubNotStarted("the hub has not been started")
        return self._audit_log

    @property
    def citizens(self) -> CitizenStore:
        """Citizens' profiles and consents, in the hub store."""
        if self._citizens is None:
            raise HubNotStarted("the hub has not been started")
        return self._citizens

    @property
    def requests(self) -> RequestStore:
        """Citizens' service requests, their history and tracking, in the hub store."""
        if self._requests is None:
            raise HubNotStarted("the hub has not been started")
        return self._requests

    @property
    def store(self) -> AsyncEngine:
        """The hub store's engine (outbox, requests, audit log)."""
        if self._store is None:
            raise HubNotStarted("the hub has not been started")
        return self._store

    def context(
        self, request: Request | WebSocket | None, response: Response | None = None
    ) -> HubContext:
        """The GraphQL context of one request: the API's and the web client's alike."""
        return HubContext.create(
            self.federation,
            request,
            response,
            api_keys=self.api_keys,
            audit_log=self.audit_log,
            citizens=self.citizens,
            requests=self.requests,
            events=self.events,
            request_forms=self.request_forms,
            outbox=self._outbox,
        )

    async def start(self) -> None:
        settings = self.settings
        await upgrade_async(settings.database_url)
        if settings.demo:
            written = await seed_catalogues(
                settings.database_url, settings.demo_catalogue_dir, only=self._on_hub_store()
            )
            log.info("demo catalogue loaded: %d services", written)
        environment = ConnectorEnvironment(
            hub_database_url=settings.database_url, config_dir=CONFIG_DIR
        )
        self._store = create_engine(settings.database_url)
        # The last good answers of cached reads, for every worker and the next start: a
        # government whose system is down keeps its catalogue (and takes requests).
        self._federation = Federation(
            self.municipalities, environment, snapshots=HubSnapshots(self._store)
        )
        self._audit_log = AuditLog(self._store)
        # A change to citizens' data changes public counts: cached answers must go.
        self._citizens = CitizenStore(self._store, on_change=self._invalidate_responses)
        self._requests = RequestStore(self._store, on_change=self._request_changed)
        # Supervisors' reviews and retries; the delivery worker keeps its own (backoff).
        self._outbox = Outbox(self._store)
        await self._federation.check_all()
        log.info("hub ready: %d municipalities", len(self.municipalities))

    def _invalidate_responses(self) -> None:
        if self.response_cache is not None:
            self.response_cache.invalidate()

    def _request_changed(self, tracking_number: str) -> None:
        # Public counts and the tracking view changed; live subscribers are told.
        self._invalidate_responses()
        task = asyncio.get_running_loop().create_task(self.events.publish(tracking_number))
        self._publishing.add(task)
        task.add_done_callback(self._publishing.discard)
        for listener in list(self.request_listeners):
            listener(tracking_number)

    def _on_hub_store(self) -> set[str]:
        """Municipalities whose catalogue the hub store holds (no system of their own)."""
        return {
            m.id
            for m in self.municipalities.values()
            if (binding := m.bindings.get(Capability.SERVICES)) is not None
            and m.sources[binding.source].connector == "native"
        }

    async def close(self) -> None:
        self._audit_log = self._citizens = self._requests = None
        self._outbox = None
        # The federation first: it finishes keeping its snapshots in the store.
        if self._federation is not None:
            federation, self._federation = self._federation, None
            await federation.close()
        if self._store is not None:
            store, self._store = self._store, None
            await store.dispose()
        await self.api_keys.aclose()
        if self._publishing:
            await asyncio.gather(*self._publishing, return_exceptions=True)
        await self.events.aclose()
