"""``fsc`` console script: dev, serve, worker, warehouse-sim, migrate, seed, import-catalogue, import-grants,
build-assets,
vapid-keys."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

import msgspec

from backend.settings import REPO_ROOT, Settings, SettingsError, load_settings

log = logging.getLogger("fsc")


def _fail(message: str) -> None:
    for line in message.splitlines() or [""]:
        print(f"fsc: error: {line}", file=sys.stderr)
    raise SystemExit(2)


def _settings() -> Settings:
    try:
        settings = load_settings()
    except SettingsError as exc:
        _fail(str(exc))
    from backend.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    return settings


def _database_url(settings: Settings) -> str:
    """The configured server, or the embedded one (started now, stopped when this process ends)."""
    if settings.database_url:
        return settings.database_url
    from backend.db.embedded import start_embedded

    return start_embedded(settings.data_dir)


async def _prepare_database(dsn: str, *, seed: bool, cpr_key: str) -> None:
    from backend.authorities.reference import load_reference_authorities
    from backend.db.migrate import migrate
    from backend.db.pool import connect
    from backend.jobs import install_or_upgrade

    conn = await connect(dsn)
    try:
        applied = await migrate(conn)
        if applied:
            log.info("applied migrations %s", applied)
        await install_or_upgrade(conn)
        await load_reference_authorities(conn)
        if seed:
            from backend.seed.demo import seed_demo

            if await seed_demo(conn, cpr_key):
                log.info("loaded demo data")
            else:
                log.info("database already has citizens; demo data not loaded")
    finally:
        await conn.close()


def cmd_migrate(_args: argparse.Namespace) -> None:
    settings = _settings()
    asyncio.run(_prepare_database(_database_url(settings), seed=False, cpr_key=settings.cpr_key))


def cmd_seed(_args: argparse.Namespace) -> None:
    settings = _settings()
    asyncio.run(_prepare_database(_database_url(settings), seed=True, cpr_key=settings.cpr_key))


def cmd_import_grants(args: argparse.Namespace) -> None:
    from backend.intake.cli_import import run_import

    settings = _settings()
    raise SystemExit(asyncio.run(run_import(_database_url(settings), settings, Path(args.file), args.authority)))


def cmd_serve(args: argparse.Namespace) -> None:
    settings = _settings()
    os.environ["FSC_DATABASE_URL"] = _database_url(settings)
    from granian import Granian
    from granian.constants import Interfaces

    from backend.logs import granian_log_config

    if settings.metrics_port:
        # Before prometheus_client is imported anywhere: the granian workers (forked from this
        # process) write their figures to files there, this process serves their sum.
        import tempfile

        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="fsc-metrics-"))
        from backend.metrics import serve_metrics

        serve_metrics(settings.metrics_host, settings.metrics_port, multiprocess=True)

    Granian(
        "backend.app:app_from_env",
        factory=True,
        interface=Interfaces.ASGI,
        address=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers or settings.web_workers,
        log_access=False,  # backend.web.request_log writes one JSON line per request instead
        # SIGTERM: stop listening, finish the requests in flight, at most this long.
        workers_kill_timeout=settings.shutdown_timeout_s,
        log_dictconfig=granian_log_config(settings.log_format),
    ).serve()


def cmd_worker(_args: argparse.Namespace) -> None:
    settings = _settings()
    import uvloop

    from backend.worker import run_worker

    if settings.metrics_port:
        from backend.metrics import serve_metrics

        serve_metrics(settings.metrics_host, settings.metrics_port)
    # uvloop: the worker's event loop carries thousands of push requests a second (and their TLS).
    uvloop.run(run_worker(settings, _database_url(settings)))


def cmd_warehouse_sim(args: argparse.Namespace) -> None:
    settings = _settings()
    if args.port:
        settings = msgspec.structs.replace(settings, warehouse_sim_port=args.port)
    from backend.warehouse.simulator import run_simulator

    run_simulator(settings)


def cmd_reports_rebuild(args: argparse.Namespace) -> None:
    import datetime as dt

    since = None
    if args.since:
        try:
            since = dt.date.fromisoformat(args.since)
        except ValueError:
            _fail(f"--from must be a date like 2025-01-01, not {args.since!r}")
    settings = _settings()
    from backend.reports.cli import rebuild_reports

    months = asyncio.run(rebuild_reports(_database_url(settings), since))
    print(f"report aggregates rebuilt: {months} month(s)")
def cmd_purge(args: argparse.Namespace) -> None:
    """Remove what is past its retention period now (the worker does it nightly); --dry-run: only count."""
    import datetime as dt

    from backend.db.pool import connect
    from backend.retention import plan, purge

    settings = _settings()

    async def run() -> dict[str, int]:
        conn = await connect(_database_url(settings))
        try:
            return await (plan if args.dry_run else purge)(conn, settings, dt.datetime.now(dt.UTC))
        finally:
            await conn.close()

    counts = asyncio.run(run())
    print("would remove (dry run):" if args.dry_run else "removed:")
    for name, count in counts.items():
        print(f"  {name}: {count}")


def cmd_build_assets(_args: argparse.Namespace) -> None:
    from backend.assets import build_assets

    for line in build_assets():
        print(line)


def cmd_i18n_update(_args: argparse.Namespace) -> None:
    from backend.i18n_catalogs import update_catalogs

    for line in update_catalogs():
        print(line)


def cmd_vapid_keys(_args: argparse.Namespace) -> None:
    """Print a new VAPID key pair as FSC_* lines (changing keys means every device must subscribe again)."""
    from backend.push.vapid import generate_key_pair

    private, public = generate_key_pair()
    print(f"FSC_VAPID_PRIVATE_KEY={private}")
    print(f"FSC_VAPID_PUBLIC_KEY={public}")


def cmd_import_catalogue(args: argparse.Namespace) -> None:
    """Import the tender's product list (all lines or none); every bad line is printed with its number."""
    settings = _settings()
    from backend.catalog.catalogue_import import ImportRefused, directory_pictures, import_catalogue, refusal_texts
    from backend.db.pool import connect
    from backend.i18n import current_language

    path = Path(args.file)
    if not path.is_file():
        _fail(f"no such file: {path}")
    current_language.set(args.language)

    async def run() -> None:
        conn = await connect(_database_url(settings))
        try:
            from backend.web.deps import local_today

            result = await import_catalogue(conn, path.read_bytes(), directory_pictures(args.pictures or path.parent),
                                            local_today())
        except ImportRefused as refused:
            summary, lines = refusal_texts(refused)
            _fail("\n".join([summary, *(f"line {number}: {reason}" for number, reason in lines)]))
        finally:
            await conn.close()
        print(f"imported: {result.added} added, {result.updated} updated, {result.pictures} pictures")

    asyncio.run(run())


DEV_SECRETS = ("FSC_SECRET_KEY", "FSC_CPR_KEY", "FSC_WAREHOUSE_SECRET")


def _missing_dev_secrets(names: set[str]) -> list[str]:
    """FSC_*=value lines for the development secrets not yet in var/dev-secrets.env."""
    missing = [f"{name}={secrets.token_urlsafe(48)}" for name in DEV_SECRETS if name not in names]
    if "FSC_VAPID_PRIVATE_KEY" not in names:  # a pair: generated together
        from backend.push.vapid import generate_key_pair

        private, public = generate_key_pair()
        missing += [f"FSC_VAPID_PRIVATE_KEY={private}", f"FSC_VAPID_PUBLIC_KEY={public}"]
    return missing


def _dev_environment() -> dict[str, str]:
    """Environment for local development: demo login on, secrets generated once into var/.

    A secret added in a later version is appended to an existing var/dev-secrets.env."""
    env = dict(os.environ)
    data_dir = Path(env.get("FSC_DATA_DIR", REPO_ROOT / "var"))
    data_dir.mkdir(parents=True, exist_ok=True)
    secrets_file = data_dir / "dev-secrets.env"
    known = secrets_file.read_text(encoding="utf-8").splitlines() if secrets_file.exists() else []
    names = {line.partition("=")[0] for line in known}
    missing = _missing_dev_secrets(names)
    if missing:
        secrets_file.write_text("".join(f"{line}\n" for line in known + missing), encoding="utf-8")
        secrets_file.chmod(0o600)
    for line in known + missing:
        name, _, value = line.partition("=")
        env.setdefault(name, value)
    env.setdefault("FSC_DEMO_LOGIN", "1")
    env.setdefault("FSC_LOG_FORMAT", "text")  # a developer reads the console; production collects JSON
    # Made-up contact details for development (example.org is reserved for examples).
    env.setdefault("FSC_SERVICE_PHONE", "70 00 00 00")
    env.setdefault("FSC_SERVICE_EMAIL", "fsc@example.org")
    env.setdefault("FSC_VAPID_SUBJECT", "mailto:dev@localhost")
    return env


def cmd_dev(args: argparse.Namespace) -> None:
    """Everything a newcomer needs: database, migrations, demo data, web, worker and warehouse simulator."""
    os.environ.update(_dev_environment())
    settings = _settings()
    dsn = _database_url(settings)
    asyncio.run(_prepare_database(dsn, seed=True, cpr_key=settings.cpr_key))
    port = str(args.port or settings.port)
    child_env = dict(os.environ, FSC_DATABASE_URL=dsn, PYTHONUNBUFFERED="1")
    # The simulator posts its events to this web server, the worker sends to the simulator.
    child_env.setdefault("FSC_WAREHOUSE_WEBHOOK_URL", f"http://127.0.0.1:{port}/api/v1/warehouse/events")
    child_env.setdefault("FSC_WAREHOUSE_URL", f"http://127.0.0.1:{settings.warehouse_sim_port}")
    fsc = [sys.executable, "-m", "backend.cli"]
    commands = {
        "web": [*fsc, "serve", "--port", port],
        "worker": [*fsc, "worker"],
        "warehouse_sim": [*fsc, "warehouse-sim"],
    }
    from backend.auth import dev_provider

    provider_line = "  MitID and staff login: install the dev extra (scripts/run does) for a local OpenID provider"
    if dev_provider.available():  # a real OpenID provider next to the demo login, for both logins
        oidc_env = dev_provider.environment(settings, settings.dev_oidc_port)
        if oidc_env:
            commands["oidc_provider"] = dev_provider.command(settings.dev_oidc_port)
            child_env.update(oidc_env)
            provider_line = (f"  MitID and staff login go through the local OpenID provider on "
                             f"http://127.0.0.1:{settings.dev_oidc_port} (made-up people)")
        else:
            provider_line = "  MitID and staff login use the providers set in FSC_OIDC_ISSUER / FSC_STAFF_OIDC_ISSUER"
    from backend.supervisor import supervise

    def announce() -> None:
        print(f"\n  Fælles Bestilling is running on http://{settings.host}:{port}  (Ctrl+C stops it)\n"
              f"{provider_line}\n", flush=True)

    supervise(commands, child_env, on_started=announce)


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], None], str]] = {
    "dev": (cmd_dev, "run everything for local development (embedded PostgreSQL, demo data, web, worker, "
                     "warehouse simulator, a local OpenID provider for the MitID and staff logins)"),
    "serve": (cmd_serve, "run the web server (granian)"),
    "worker": (cmd_worker, "run the background worker"),
    "warehouse-sim": (cmd_warehouse_sim, "run the warehouse simulator (plays the partner: pick lists in, events out)"),
    "migrate": (cmd_migrate, "apply database migrations and load reference data"),
    "purge": (cmd_purge, "remove data past its retention period (--dry-run: show what would go)"),
    "seed": (cmd_seed, "load demo data into an empty database (after migrating)"),
    "import-catalogue": (cmd_import_catalogue, "import the tender's product list (CSV; all lines or none)"),
    "reports-rebuild": (cmd_reports_rebuild, "recompute the payer report's daily aggregates from a date (default: all)"),
    "import-grants": (cmd_import_grants, "import a CSV file of grants for one authority (all or nothing)"),
    "i18n-update": (cmd_i18n_update, "extract UI texts and update the da/en catalogs (keeps translations)"),
    "build-assets": (cmd_build_assets, "copy front-end packages from node_modules into pwa/static/vendor"),
    "vapid-keys": (cmd_vapid_keys, "print a new Web Push (VAPID) key pair for FSC_VAPID_PRIVATE_KEY/PUBLIC_KEY"),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="fsc", description="Fælles Bestilling")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_func, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        if name in ("dev", "serve", "warehouse-sim"):
            command.add_argument("--port", type=int, default=None)
        if name == "import-catalogue":
            command.add_argument("file", help="the CSV file (UTF-8; columns in docs/catalogue-import.md)")
            command.add_argument("--pictures", default=None, help="folder with the pictures (default: the CSV's)")
            command.add_argument("--language", choices=("da", "en"), default="da", help="language of the errors")
        if name == "purge":
            command.add_argument("--dry-run", action="store_true", help="count what would go; change nothing")
        if name == "import-grants":
            command.add_argument("file", help="the CSV file (UTF-8; the header is described in README.md, Grant intake)")
            command.add_argument("--authority", type=int, required=True, help="the authority's code, e.g. 751")
        if name == "serve":
            command.add_argument("--host", default=None)
            command.add_argument("--workers", type=int, default=None)
        if name == "reports-rebuild":
            command.add_argument("--from", dest="since", default=None, metavar="DATE",
                                 help="first day to recompute (YYYY-MM-DD; widened to the first of its month)")
    args = parser.parse_args(argv)
    COMMANDS[args.command][0](args)


if __name__ == "__main__":
    main()
