"""What `planasmun serve` and `check-config` do in demo mode, in the demo's own package.

The CLI (`gateway.cli._demo`) reaches this module and calls, in order:

1. `register_hooks()`, before any municipality file is loaded: the demo's files name the
   demo's hooks (La Vega's `simuvega-canales`);
2. `start(settings)`, when the demo's systems run in this process
   (`PLANASMUN_DEMO_SYSTEMS=embedded`): the simulated municipal systems, the local OpenID
   Connect provider and the mail sink, each exporting the `PLANASMUN_*` variables the hub's
   workers read;
3. uvicorn then builds each worker's app with `APP_FACTORY`, which registers the hooks in
   that worker's process too before the hub loads the files.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette

from connectors.hooks import RecordHook, register_hook
from demo import legacy_sql
from gateway.settings import Settings

#: The demo's hooks, by the name the municipality files give them.
HOOKS: dict[str, RecordHook] = {"simuvega-canales": legacy_sql.simuvega_channels}

#: What uvicorn builds each worker's app with in demo mode (`uvicorn --factory`).
APP_FACTORY = "demo.launch:app_from_environment"


def register_hooks() -> None:
    """Register the demo's hooks (again is harmless)."""
    for name, function in HOOKS.items():
        register_hook(name, function)


def start(settings: Settings) -> None:
    """Start the demo's systems in this process (daemon threads; uvicorn's worker processes
    reach them by port) and export what the hub needs to find them."""
    from demo.systems import start_demo_systems

    systems = start_demo_systems(settings.demo_data_dir)
    systems.file_counter_requests()
    systems.export()
    print(
        "Demo municipal systems: "
        + ", ".join(f"{k}={v}" for k, v in sorted(systems.environment().items())),
        flush=True,
    )
    if settings.identity.issuer is None:
        from demo.identity_provider import start_for_demo_hub

        # Sets PLANASMUN_IDENTITY__ISSUER (and the secrets) for the workers to read.
        provider = start_for_demo_hub(settings.identity)
        print(f"Demo identity provider: {provider.issuer} (demo accounts on its login page)")
    if not settings.smtp.enabled:
        from demo.mail_sink import start_mail_sink

        # Citizens' e-mails go to a local mail server that keeps them as .eml files.
        mail_dir = settings.demo_data_dir.absolute() / "mail"
        sink = start_mail_sink(int(os.environ.get("PLANASMUN_DEMO_SMTP_PORT", "0")), mail_dir)
        os.environ.update(
            {
                "PLANASMUN_SMTP__HOST": "127.0.0.1",
                "PLANASMUN_SMTP__PORT": str(sink.port),
                "PLANASMUN_SMTP__SECURITY": "none",
            }
        )
        print(f"Demo mail: e-mails to citizens are kept in {mail_dir}/", flush=True)


def app_from_environment() -> Starlette:
    """`gateway.app.app_from_environment` with the demo's hooks registered first."""
    register_hooks()
    from gateway.app import app_from_environment as product_app

    return product_app()
