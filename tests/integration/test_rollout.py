"""A rolling deploy: the release step migrates the database while processes of the previous release
still run, and one of them may restart (a crash, a rolling restart) before it is replaced. With
migrations written to add before use and drop after (docs/operations.md), the previous release
works on the newer schema, so it must start on it; `fsc migrate` of an older release still refuses."""

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.db.migrate import MigrationError, migrate
from backend.db.pool import connect
from tests.conftest import make_settings


async def test_the_previous_release_starts_on_a_database_one_release_ahead(db_url):
    conn = await connect(db_url)
    try:
        await conn.execute("INSERT INTO schema_migration (version, name) VALUES (9999, 'next_release')")
        with pytest.raises(MigrationError):  # an old release never migrates a newer database
            await migrate(conn)
    finally:
        await conn.close()
    app = create_app(make_settings(), database_url=db_url)
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.get("/login")).status_code == 200
