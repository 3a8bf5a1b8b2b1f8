"""The `planasmun` command: serve, check-config, migrate, print-schema, audit, dev-identity."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from types import ModuleType

from connectors import InvalidConfiguration, load_directory
from gateway.audit_cli import add_audit_commands
from gateway.http_protocol import HTTP_PROTOCOL
from gateway.settings import Settings, export_demo_defaults
from store.migrate import upgrade

#: What uvicorn builds each worker's app with outside demo mode.
APP_FACTORY = "gateway.app:app_from_environment"


def _demo_launcher() -> ModuleType:
    """`demo.launch`: the one place the product imports the `demo` package.

    Called in demo mode only (`PLANASMUN_DEMO`, on by default), by `serve` and
    `check-config`; outside it the hub runs with the package absent. tests/test_layering.py
    allows this module alone to import `demo`.
    """
    try:
        from demo import launch
    except ModuleNotFoundError as exc:
        if exc.name not in ("demo", "demo.launch"):
            raise
        raise SystemExit(
            "Demo mode (PLANASMUN_DEMO, on by default) needs the demo package, which is not "
            "installed: set PLANASMUN_DEMO=false to run the hub on its own files."
        ) from None
    return launch


def _dev_identity(args: argparse.Namespace) -> int:
    """`planasmun dev-identity …`: the demo's identity provider alone, for development
    (demo/dev_identity.py parses the rest of the command line)."""
    try:
        from demo import dev_identity
    except ModuleNotFoundError as exc:
        if exc.name not in ("demo", "demo.dev_identity"):
            raise
        raise SystemExit(
            "dev-identity runs the demo's identity provider, and the demo package is not "
            "installed: install planasmun[demo] or run from the source tree."
        ) from None
    code: int = dev_identity.main(args.arguments)
    return code


def _check_config(args: argparse.Namespace) -> int:
    settings = Settings()
    export_demo_defaults(settings)
    if settings.demo:
        # The demo's files name the demo's hooks.
        _demo_launcher().register_hooks()
    directory = Path(args.directory) if args.directory else settings.municipalities_dir
    try:
        municipalities = load_directory(directory)
    except InvalidConfiguration as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found; nothing was started.", file=sys.stderr)
        return 1
    print(f"{directory}: {len(municipalities)} municipality file(s) valid.")
    if not args.probe:
        return 0
    from gateway.probe import probe

    lines, healthy = asyncio.run(probe(municipalities, settings))
    print("\n".join(lines))
    if not healthy:
        print("Some sources or bindings failed (see above).", file=sys.stderr)
        return 1
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    overrides: dict[str, object] = {}
    for name in ("host", "port", "workers"):
        if getattr(args, name) is not None:
            overrides[name] = getattr(args, name)
    settings = Settings(**overrides)  # type: ignore[arg-type]
    export_demo_defaults(settings)
    demo = _demo_launcher() if settings.demo else None
    if demo is not None:
        # Before the files are loaded: the demo's files name the demo's hooks.
        demo.register_hooks()
    try:
        load_directory(settings.municipalities_dir)
    except InvalidConfiguration as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("The hub did not start: fix the file(s) above.", file=sys.stderr)
        return 1
    if demo is not None and settings.demo_systems == "embedded":
        # The simulated systems, identity provider and mail sink, in this process.
        demo.start(settings)
    # Migrate once here, not in each worker at the same time.
    upgrade(settings.database_url)
    print(f"PLANASMUN: http://{settings.host}:{settings.port}/  (explorer: /graphql)", flush=True)
    uvicorn.run(
        # In demo mode each worker registers the demo's hooks before its hub loads the files.
        demo.APP_FACTORY if demo is not None else APP_FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        http=HTTP_PROTOCOL,
        log_level="info",
        access_log=False,
        env_file=None,
    )
    return 0


def _migrate(args: argparse.Namespace) -> int:
    upgrade(Settings().database_url)
    return 0


def _print_schema(args: argparse.Namespace) -> int:
    from schema import sdl

    sys.stdout.write(sdl())
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # Client libraries log every URL they call, query strings included: those may carry
    # identifiers or, later, personal data. Their warnings and errors still show.
    for noisy in ("httpx", "httpcore", "zeep", "spyne"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(prog="planasmun", description="PLANASMUN federation hub.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="start the hub (settings from PLANASMUN_*)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.set_defaults(handler=_serve)

    check = commands.add_parser("check-config", help="validate every municipality file")
    check.add_argument("directory", nargs="?")
    check.add_argument(
        "--probe",
        action="store_true",
        help="also call each source's check() and read each binding once",
    )
    check.set_defaults(handler=_check_config)

    commands.add_parser("migrate", help="apply the hub store's migrations").set_defaults(
        handler=_migrate
    )
    commands.add_parser("print-schema", help="print the GraphQL SDL").set_defaults(
        handler=_print_schema
    )
    dev = commands.add_parser(
        "dev-identity",
        help="development only: the demo's identity provider alone on loopback, and bearer "
        "tokens for its accounts (`planasmun dev-identity --help`)",
        add_help=False,
        # No options of its own: everything after the word goes to demo/dev_identity.py.
        prefix_chars="\0",
    )
    dev.add_argument("arguments", nargs=argparse.REMAINDER)
    dev.set_defaults(handler=_dev_identity)
    add_audit_commands(commands)
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
