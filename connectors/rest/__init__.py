"""The `rest` connector: JSON over HTTP(S), with httpx.

A source is one HTTP service (`base_url`, constant headers, at most one way to
authenticate, with secrets only by `{"$env": NAME}`); a binding says where one
capability's records live in it::

    sources:
      portal:
        connector: rest
        base_url: https://portal.example.gob.do
        bearer_token: {$env: PUERTO_PLATA_API_TOKEN}
    bindings:
      services:
        source: portal
        list_path: /api/v1/servicios          # every record, page after page
        list_params: {municipio: POP}         # sent with every request of the binding
        records_path: data.items              # where the list sits in the JSON answer
        next_path: data.next                  # the next page's link (or cursor)
        batch_path: /api/v1/servicios         # ?ids=a,b,c answers several keys at once
        item_path: /api/v1/servicios/{id}     # one record (404 = not found)
        fields: {id: codigo, fee_amount: tarifa.monto}

`fetch_many` makes ONE batch request when `batch_path` is bound (per `max_batch_size`
keys), otherwise concurrent single requests on `item_path`, otherwise it reads the list.
One `httpx.AsyncClient` per connector keeps connections alive between calls.

Errors follow the connector tree: a refused connection, a 5xx or a 429 is transient; a
timeout is `UpstreamTimeout`; another 4xx, a body that is not JSON or records that are
not where `records_path` says is `UpstreamError`. Messages name the URL path, never the
query string, the headers or a secret.

The package, one concept a module: `config` (the source and bindings), `client` (the
HTTP client and its credentials), `answers` (where records are in a JSON answer),
`errors` (httpx's exceptions and HTTP statuses as the error tree), `connector` (the kind).
"""

from connectors.rest.config import ApiKeyAuth, HttpBasicAuth, RestBindingConfig, RestSourceConfig
from connectors.rest.connector import RestConnector

__all__ = [
    "ApiKeyAuth",
    "HttpBasicAuth",
    "RestBindingConfig",
    "RestConnector",
    "RestSourceConfig",
]
