"""The per-request context every resolver receives as `info.context`."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from connectors import Federation
from schema.loaders import Loaders
from schema.principal import ANONYMOUS, Principal, principal_from_connection

if TYPE_CHECKING:
    from schema.developers.keys import ApiKeys
    from schema.events import RequestEvents
    from schema.requests.forms import RequestForms
    from store.audit import AuditLog
    from store.citizens import CitizenStore
    from store.outbox import Outbox
    from store.requests import RequestStore


@dataclasses.dataclass(slots=True)
class HubContext:
    """Carries the federation, this request's loaders (fresh per request) and its caller."""

    federation: Federation
    loaders: Loaders
    request: Request | WebSocket | None = None
    response: Response | None = None
    #: Failures of one part of a list that still came back (see `schema.partial`).
    partial_errors: list[GraphQLError] = dataclasses.field(default_factory=list)
    #: Who is asking: from the bearer token or the session (see `gateway.identity`).
    principal: Principal = ANONYMOUS
    #: Developers' API keys in the hub store (None where the hub has none, e.g. tests).
    api_keys: ApiKeys | None = None
    #: The hub store's audit log and citizens' data (see `schema.personal`). None where no
    #: store is wired (schema-only tests): personal data is then never shown or changed.
    audit_log: AuditLog | None = None
    citizens: CitizenStore | None = None
    #: Citizens' service requests and their tracking (None where no store is wired).
    requests: RequestStore | None = None
    #: Live updates of requests (`requestStatusChanged`); None: no subscriptions.
    events: RequestEvents | None = None
    #: The services' own request fields (config/request-forms.yaml); None: none asked.
    request_forms: RequestForms | None = None
    #: The hub's outbox, for supervisors to review and retry what failed for good.
    outbox: Outbox | None = None

    @classmethod
    def create(
        cls,
        federation: Federation,
        request: Request | WebSocket | None = None,
        response: Response | None = None,
        principal: Principal | None = None,
        api_keys: ApiKeys | None = None,
        *,
        audit_log: AuditLog | None = None,
        citizens: CitizenStore | None = None,
        requests: RequestStore | None = None,
        events: RequestEvents | None = None,
        request_forms: RequestForms | None = None,
        outbox: Outbox | None = None,
    ) -> HubContext:
        """`principal` defaults to the request's (anonymous without a request)."""
        if principal is None:
            principal = ANONYMOUS if request is None else principal_from_connection(request)
        return cls(
            federation,
            Loaders(federation),
            request,
            response,
            principal=principal,
            api_keys=api_keys,
            audit_log=audit_log,
            citizens=citizens,
            requests=requests,
            events=events,
            request_forms=request_forms,
            outbox=outbox,
        )


Info = strawberry.Info[HubContext, Any]
