"""Failed deliveries, for a municipality's supervisors to review and retry.

The delivery worker (`gateway.outbox_delivery`) keeps an outbox item it can never deliver as it
is (the municipality's system cannot map the request, a mail server refuses the address
for good) as FAILED. `failedDeliveries(municipalityId, first, offset)` lists one local
government's, most recently given up first: what it was (a request to the municipality's
system, an e-mail to the citizen), the request's tracking number, the error code and what
it means in plain words. `retryDelivery(municipalityId, id)` puts one back in the outbox,
due at once, once the cause is fixed; it is written to the audit log.

Who may: exactly those who review the municipality's audit log (its supervisors and
administrators, and the national administrators); anyone else gets `FORBIDDEN`, and a
signed-in caller's refusal is audited. Answers hold ids, codes and tracking numbers,
never a citizen's data.
"""

from schema.deliveries.mutations import DeliveryMutations
from schema.deliveries.resolvers import DeliveryQueries

__all__ = ["DeliveryMutations", "DeliveryQueries"]
