"""The root types, composed from each domain's mixin."""

from __future__ import annotations

import strawberry

from schema.audit import AuditQueries
from schema.citizens import CitizenMutations, CitizenQueries
from schema.deliveries import DeliveryMutations, DeliveryQueries
from schema.developers.mutations import DeveloperMutations
from schema.developers.resolvers import DeveloperQueries
from schema.figures import FiguresSubscriptions
from schema.municipalities.resolvers import MunicipalityQueries
from schema.requests.mutations import RequestMutations
from schema.requests.public_list import PublicRequestQueries
from schema.requests.resolvers import RequestQueries
from schema.requests.subscriptions import RequestSubscriptions
from schema.services.queries import ServiceQueries


@strawberry.type(
    description="PLANASMUN: public data of the Dominican Republic's local governments."
)
class Query(
    MunicipalityQueries,
    ServiceQueries,
    DeveloperQueries,
    CitizenQueries,
    AuditQueries,
    DeliveryQueries,
    RequestQueries,
    PublicRequestQueries,
):
    pass


@strawberry.type(description="Changes: each one checks who may make it.")
class Mutation(DeveloperMutations, CitizenMutations, RequestMutations, DeliveryMutations):
    pass


@strawberry.type(description="Live updates, over WebSocket (graphql-transport-ws).")
class Subscription(RequestSubscriptions, FiguresSubscriptions):
    pass
