"""Citizens' service requests: submit, track (by number, live), work the queue (staff).

The store is `store.requests`; the requests reach each municipality's own
system through the outbox (gateway.outbox_delivery). Personal fields of a request are declared
in `schema.personal.PERSONAL_FIELDS` and guarded there.
"""

from schema.requests.mutations import RequestMutations
from schema.requests.resolvers import RequestQueries
from schema.requests.subscriptions import RequestSubscriptions

__all__ = ["RequestMutations", "RequestQueries", "RequestSubscriptions"]
