"""The `sql` connector: a municipality's existing database, which the hub does NOT own.

The hub reads; the one thing it may write is a citizen's request, through the INSERT a
`requests` binding gives it, on a pool of its own (`connectors.sql.requests`). It never
creates, alters or migrates anything there: no `metadata.create_all`, no migrations, and
reflection only in `check()`. Every read runs in a read-only transaction where the dialect
has one (PostgreSQL and MySQL: ``SET TRANSACTION READ ONLY``; SQLite: the file is opened
with ``mode=ro`` and ``PRAGMA query_only``), on top of a database account that should
itself be read-only (or allowed INSERT on the requests table alone).

A binding reads either

- a ``table`` (or view), optionally in a ``schema``, with an equality filter ``where``
  (``{ESTATUS: A}``): the SELECT is built with SQLAlchemy Core and names exactly the
  columns the mapping needs, plus any in ``columns`` (for a hook); or
- a ``query``: one parameterised SELECT (or WITH … SELECT) with named parameters —
  ``:municipio`` (the binding's municipality id unless ``parameters`` gives it) and any
  constant from ``parameters``. Batches filter that query as a subquery by its id column,
  or use ``fetch_query``, the same query with ``:ids`` where the keys go (an expanding
  parameter). A query that is not a single read-only statement is refused at validation.

`fetch_many` is one ``SELECT … WHERE id IN (…)`` per call and `list_for` one SELECT for
the binding's municipality. The password comes only by reference (the whole URL as
``{$env: NAME}``, or ``password: {$env: NAME}``) and is never shown: URLs in messages are
rendered with it hidden.

The package, one concept a module: `config` (the source and read bindings), `guards`
(which SQL text a binding may hold), `statements` (the SQL it runs), `database` (URL,
pools, read-only transactions), `errors` (SQLAlchemy's exceptions as the error tree),
`connector` (the kind: probes and reads), `request_config` and `requests` (the `requests`
binding and its writer).
"""

from connectors.sql.config import SqlBindingConfig, SqlSourceConfig
from connectors.sql.connector import SqlConnector
from connectors.sql.guards import insert_problem, read_only_problem
from connectors.sql.request_config import SqlRequestsBindingConfig
from connectors.sql.requests import SqlRequestWriter

__all__ = [
    "SqlBindingConfig",
    "SqlConnector",
    "SqlRequestWriter",
    "SqlRequestsBindingConfig",
    "SqlSourceConfig",
    "insert_problem",
    "read_only_problem",
]
