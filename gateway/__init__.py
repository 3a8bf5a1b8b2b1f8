"""The gateway wires configuration, connectors, schema and web client into one ASGI app.

Entry points: `gateway.app.create_app`, `gateway.app.app_from_environment` (uvicorn
factory), `gateway.cli.main` (the `planasmun` command).
"""
