"""The gateway wires configuration, connectors, schema and web client into one ASGI app."""

from gateway.app import app_from_environment, create_app
from gateway.hub import Hub
from gateway.settings import Settings

__all__ = ["Hub", "Settings", "app_from_environment", "create_app"]
