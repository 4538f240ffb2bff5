"""Hot paths have an index for every table that grows with the citizens (DESIGN §5: national scale,
1M citizens / 5M grants / 20M orders, no sequential scans on hot paths).

A citizen's and an advisor's everyday journey runs through the ASGI app on one pooled connection
whose statements are recorded; each is then EXPLAINed with ``enable_seqscan = off``. The planner
still picks a sequential scan when no index can serve a table, so a "Seq Scan" on a growing table
in such a plan is a missing index, whatever the size of the test data.
"""

from __future__ import annotations

import re
import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr, csrf_token, login, make_settings
from tests.integration.power_helpers import act_for, login_person
from tests.integration.test_staff import staff_id, staff_login

# Tables whose size grows with citizens, orders or time; small reference tables (authority,
# product, manufacturer, pickup_point, opening hours, settings) may be read whole.
GROWING = {
    "audit_log", "backorder", "callback", "callback_slot", "change_request", "citizen", "delivery_preference", "grant_",
    "grant_allocation", "order_", "order_line", "parcel", "person", "push_delivery", "push_preference",
    "push_subscription", "rate_limit", "reminder_sent", "session", "staff_session", "temporary_address", "warehouse_event",
    "report_payer_day", "report_payer_month",
    "person", "power_of_attorney", "power_invitation",
}
EXPLAINABLE = re.compile(r"^\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\b", re.I)


async def recorded_journey(db_url: str, db: asyncpg.Connection) -> list[tuple[str, tuple]]:
    """The statements (with their values) of one citizen's and one advisor's everyday requests."""
    statements: list[tuple[str, tuple]] = []
    app = create_app(make_settings(db_pool_min=1, db_pool_max=1), database_url=db_url)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        async with app.state.pool.acquire() as conn:  # the one connection every request will use
            conn.add_query_logger(lambda record: statements.append((record.query, tuple(record.args or ()))))
        citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
        await login(client, citizen)
        csrf = await csrf_token(client)
        assert (await client.get("/")).status_code == 200
        placed = await client.post("/orders/reorder", data={"_csrf_token": csrf, "idempotency_key": str(uuid.uuid4())},
                                   follow_redirects=False)
        assert placed.status_code == 303, placed.text
        receipt = placed.headers["location"]
        for url in (receipt, "/orders", "/orders/new", "/delivery", "/notifications", "/callbacks", "/callbacks/new",
                    "/change-requests"):
            assert (await client.get(url)).status_code == 200, url
        cancelled = await client.post(f"{receipt}/cancel", data={"_csrf_token": csrf}, follow_redirects=False)
        assert cancelled.status_code == 303, cancelled.text
        # The citizen's log (audit_log_citizen_idx) and the download of all their data.
        for url in ("/hvem-har-set", "/hvem-har-set?side=2", "/mine-data.json"):
            assert (await client.get(url)).status_code in (200, 404), url

        # A helper (the demo's Sofie Jensen) acting for the same citizen: the viewer query joins her power.
        client.cookies.clear()
        helper = await db.fetchval("SELECT id FROM person WHERE is_demo ORDER BY id LIMIT 1")
        await login_person(client, helper)
        power = await db.fetchval("SELECT id FROM power_of_attorney WHERE person_id = $1", helper)
        assert (await act_for(client, power)).status_code == 303
        for url in ("/", "/orders", "/fuldmagt/vaelg"):
            assert (await client.get(url)).status_code == 200, url
        helped = await client.post("/orders/reorder", data={"_csrf_token": await csrf_token(client),
                                                            "idempotency_key": str(uuid.uuid4())},
                                   follow_redirects=False)
        assert helped.status_code in (303, 409, 422), helped.text
        client.cookies.clear()
        await login(client, citizen)
        assert (await client.get("/hjaelpere")).status_code == 200

        await staff_login(client, await staff_id(db, "Anne Holm"))
        assert (await client.get("/fsc/queue")).status_code == 200
        waiting = await db.fetchval("SELECT min(id) FROM callback WHERE status = 'waiting'")
        claimed = await client.post(f"/fsc/callbacks/{waiting}/claim",
                                    data={"_csrf_token": await csrf_token(client, "/fsc/")}, follow_redirects=False)
        assert claimed.status_code == 303, claimed.text
        assert (await client.get(f"/fsc/callbacks/{waiting}")).status_code == 200

        # Find the caller (issue 15): by name, phone, order number and CPR; the record; an inbound call.
        order = await db.fetchval("SELECT max(id) FROM order_ WHERE citizen_id = $1", citizen)
        for q in ("Karen Jen", "+45 28 14 63 07", "28146307", str(order)):
            response = await client.get("/fsc/search", params={"q": q})
            assert response.status_code == 200 and f'data-testid="result-{citizen}"' in response.text, q
        staff_csrf = await csrf_token(client, "/fsc/")
        by_cpr = await client.post("/fsc/search", data={"cpr": MAIN_DEMO_CPR, "_csrf_token": staff_csrf})
        assert by_cpr.status_code == 200 and f'data-testid="result-{citizen}"' in by_cpr.text
        assert (await client.get(f"/fsc/citizens/{citizen}?reason=inbound_call")).status_code == 200
        inbound = await client.post(f"/fsc/citizens/{citizen}/calls", data={"_csrf_token": staff_csrf},
                                    follow_redirects=False)
        assert inbound.status_code == 303, inbound.text
        assert (await client.get(inbound.headers["location"])).status_code == 200
        # A caseworker's day: the queue (requests, grants ending soon), a request, a citizen.
        client.cookies.clear()
        await staff_login(client, await staff_id(db, "Sofie Bach"), landing="/fsc/sag")
        request_id = await db.fetchval("SELECT min(r.id) FROM change_request r JOIN authority a ON a.id = r.payer_id "
                                       "WHERE a.code = 751")
        citizen_of_request = await db.fetchval("SELECT citizen_id FROM change_request WHERE id = $1", request_id)
        for url in ("/fsc/sag", f"/fsc/sag/requests/{request_id}", f"/fsc/sag/citizens/{citizen_of_request}"):
            assert (await client.get(url)).status_code == 200, url
        # The region's caseworker: the discharge hand-overs the region pays (grant_payer_ending_idx).
        client.cookies.clear()
        await staff_login(client, await staff_id(db, "Mads Lund"), landing="/fsc/sag")
        assert (await client.get("/fsc/sag")).status_code == 200
    return statements


async def test_everyday_requests_use_an_index_on_every_growing_table(db_url, db):
    statements = await recorded_journey(db_url, db)
    explained = 0
    missing = []
    await db.execute("ANALYZE")
    await db.execute("SET enable_seqscan = off")
    for query, args in statements:
        if not EXPLAINABLE.match(query) or "pgqueuer" in query:  # the job queue's own statements
            continue
        plan = "\n".join(row[0] for row in await db.fetch(f"EXPLAIN {query}", *args))
        explained += 1
        scanned = set(re.findall(r"Seq Scan on (\w+)", plan)) & GROWING
        if scanned:
            missing.append(f"{sorted(scanned)} in: {' '.join(query.split())[:300]}")
    assert explained >= 30, explained  # the journey really ran through the database
    assert not missing, "\n".join(missing)


async def explain_all(db: asyncpg.Connection, statements: list[tuple[str, tuple]]) -> tuple[int, list[str]]:
    """EXPLAIN each recorded statement with sequential scans off; the growing tables still scanned."""
    explained, missing = 0, []
    await db.execute("ANALYZE")
    await db.execute("SET enable_seqscan = off")
    for query, args in statements:
        if not EXPLAINABLE.match(query) or "pgqueuer" in query:
            continue
        plan = "\n".join(row[0] for row in await db.fetch(f"EXPLAIN {query}", *args))
        explained += 1
        if scanned := set(re.findall(r"Seq Scan on (\w+)", plan)) & GROWING:
            missing.append(f"{sorted(scanned)} in: {' '.join(query.split())[:300]}")
    await db.execute("RESET enable_seqscan")
    return explained, missing


async def test_payer_reports_and_their_job_read_through_indexes(db_url, db):
    """The report page and CSV read the monthly roll-up by index (never order_); the worker's
    rolling recompute reaches the recent orders, events, backorders and callbacks by index."""
    import datetime as dt

    from backend.reports.aggregate import refresh_recent

    job: list[tuple[str, tuple]] = []
    def record(entry) -> None:
        job.append((entry.query, tuple(entry.args or ())))

    db.add_query_logger(record)
    await refresh_recent(db, dt.date.today())
    db.remove_query_logger(record)
    page: list[tuple[str, tuple]] = []
    app = create_app(make_settings(db_pool_min=1, db_pool_max=1), database_url=db_url)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        async with app.state.pool.acquire() as conn:
            conn.add_query_logger(lambda record: page.append((record.query, tuple(record.args or ()))))
        await staff_login(client, await staff_id(db, "Peter Vang"))
        for url in ("/fsc/reports/payers", "/fsc/reports/payers?payer=751", "/fsc/reports/payers.csv"):
            assert (await client.get(url)).status_code == 200, url
    reads = [(q, a) for q, a in page if "report_payer" in q]
    assert len(reads) == 3, reads  # one read of the monthly roll-up per view
    assert not any("order_" in q for q, _a in reads)
    explained, missing = await explain_all(db, reads + [(q, a) for q, a in job if "INTO report" in q or "FROM report" in q])
    assert explained >= 12, explained
    assert not missing, "\n".join(missing)
