"""Citizens' service requests: submit, track (by number, live), work the queue (staff).

The store is `store.requests`; the requests reach each municipality's own
system through the outbox (gateway.outbox_delivery). Personal fields of a request are declared
in `schema.personal.PERSONAL_FIELDS` and guarded there.

The package holds no code of its own: importing one of its modules (the request fields,
which a service lists) must not load the mutations.
"""
