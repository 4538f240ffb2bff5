"""Migrations: apply from empty, are recorded once, and a database ahead of the code is refused."""

import traceback

import pytest

from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.db.migrate import MigrationError, available_migrations, check_schema, migrate
from backend.db.pool import connect
from tests.conftest import make_settings


async def test_migrations_apply_from_empty_and_only_once(empty_db_url):
    conn = await connect(empty_db_url)
    try:
        applied = await migrate(conn)
        assert applied == [m.version for m in available_migrations()]
        assert await migrate(conn) == []
        tables = {r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")}
        assert {"authority", "product", "citizen", "grant_", "order_", "order_line", "session", "audit_log"} <= tables
        assert await conn.fetchval("SELECT count(*) FROM schema_migration") == len(applied)
    finally:
        await conn.close()


async def test_database_ahead_of_code_is_refused(empty_db_url):
    conn = await connect(empty_db_url)
    try:
        await migrate(conn)
        await conn.execute("INSERT INTO schema_migration (version, name) VALUES (9999, 'from_the_future')")
        with pytest.raises(MigrationError, match="9999"):
            await check_schema(conn)
        with pytest.raises(MigrationError):
            await migrate(conn)
    finally:
        await conn.close()


async def test_app_refuses_to_start_on_an_unmigrated_database(empty_db_url):
    app = create_app(make_settings(), database_url=empty_db_url)
    with pytest.raises(BaseException) as info:
        async with AsyncTestClient(app=app):
            pass
    assert "fsc migrate" in "".join(traceback.format_exception(info.value))


async def test_audit_log_is_append_only(db):
    await db.execute("INSERT INTO audit_log (actor_kind, action) VALUES ('system', 'test')")
    with pytest.raises(Exception, match="append-only"):
        await db.execute("DELETE FROM audit_log")
    with pytest.raises(Exception, match="append-only"):
        await db.execute("UPDATE audit_log SET action = 'changed'")
