"""Generated input against the OpenAPI schema answers no 5xx, as anonymous, a citizen, a
supervisor and the signed warehouse partner (issue 13, item 6). A few cases per operation here;
bench/fuzz.py is the full run (≥ 10,000 cases)."""

from __future__ import annotations

import anyio
from schemathesis.python import asgi

from backend.app import create_app
from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import TEST_WAREHOUSE_SECRET, citizen_id_by_cpr
from tests.fuzzing import identities, run
from tests.push_fixtures import push_settings

EXAMPLES_PER_OPERATION = 4


async def test_generated_requests_never_get_a_server_error(db_url, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    supervisor = await db.fetchval("SELECT id FROM staff WHERE role = 'supervisor' ORDER BY id LIMIT 1")
    app = create_app(push_settings(), database_url=db_url)  # push on: its routes are exercised too

    def fuzz():
        try:
            with asgi.get_client(app) as client:
                who = identities(client, citizen, supervisor, TEST_WAREHOUSE_SECRET)
                return run(app, client, who, EXAMPLES_PER_OPERATION)
        finally:
            asgi.shutdown_lifespans()  # close the app's pool before the test database is dropped

    tallies = await anyio.to_thread.run_sync(fuzz)
    assert set(tallies) == {"anonymous", "citizen", "supervisor", "partner"}
    assert all(tally.cases > 0 for tally in tallies.values()), tallies
    assert tallies["citizen"].cases >= 200 and tallies["partner"].cases >= 100, tallies
    assert tallies["citizen"].statuses[200] > 0 and tallies["supervisor"].statuses[200] > 0, tallies
    errors = {name: tally.examples for name, tally in tallies.items() if tally.server_errors}
    assert not errors, errors
