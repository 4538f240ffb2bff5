"""Retention with a moved clock: what is past its period goes (sessions, push deliveries, rate-limit
windows, job history, access-log entries older than 5 years), a citizen whose grants all ended long
ago is anonymised with their orders kept for the payers, the access log stays append-only for
everyone else, and `fsc purge --dry-run` shows what would go without changing a row."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import asyncpg
import pytest

from backend.retention import plan, purge
from tests.conftest import make_settings
from tests.e2e.conftest import app_env
from tests.factories import make_citizen, make_grant, make_order, make_product

NOW = dt.datetime.now(dt.UTC)
YEARS_6 = dt.timedelta(days=6 * 366)


async def ended_citizen(db: asyncpg.Connection) -> tuple[int, int]:
    """A citizen whose only grant ended a year ago, with an order, a session and a callback-free past."""
    citizen = await make_citizen(db, "Ruth Retention", "0101301234")
    product = await make_product(db, "Retention Pose Ekstra")
    today = NOW.date()
    grant = await make_grant(db, citizen, product, 90, today - dt.timedelta(days=800),
                             valid_to=today - dt.timedelta(days=365))
    order = await make_order(db, citizen, grant, product, 1, 30, today - dt.timedelta(days=400))
    await db.execute("INSERT INTO session (token_hash, citizen_id, expires_at, idle_expires_at) "
                     "VALUES ('\\x01', $1, now() + interval '1 hour', now() + interval '1 hour')", citizen)
    return citizen, order


async def test_a_citizen_long_past_their_grants_is_anonymised_and_their_orders_kept(db):
    settings = make_settings()
    citizen, order = await ended_citizen(db)
    lines_before = await db.fetch("SELECT * FROM order_line WHERE order_id = $1", order)
    assert (await plan(db, settings, NOW))["citizens_to_anonymise"] == 0  # ended one year ago: kept

    later = NOW + YEARS_6  # the clock moved: the grant ended more than 5 years ago
    assert (await plan(db, settings, later))["citizens_to_anonymise"] >= 1
    assert await db.fetchval("SELECT name FROM citizen WHERE id = $1", citizen) == "Ruth Retention"  # plan only
    await purge(db, settings, later)

    row = await db.fetchrow("SELECT * FROM citizen WHERE id = $1", citizen)
    assert row["name"] == "" and row["street"] == "" and row["phone"] is None and row["anonymised_at"] == later
    kept = await db.fetchrow("SELECT * FROM order_ WHERE id = $1", order)
    assert kept["citizen_id"] == citizen and kept["recipient_name"] == "" and kept["street"] == ""
    assert await db.fetch("SELECT * FROM order_line WHERE order_id = $1", order) == lines_before
    assert await db.fetchval("SELECT count(*) FROM grant_ WHERE citizen_id = $1", citizen) == 1
    assert await db.fetchval("SELECT count(*) FROM session WHERE citizen_id = $1", citizen) == 0
    from backend.citizens.cpr import cpr_hash
    from tests.conftest import TEST_CPR_KEY

    assert await db.fetchval("SELECT count(*) FROM citizen WHERE cpr_hash = $1",
                             cpr_hash(TEST_CPR_KEY, "0101301234")) == 0


async def test_a_citizen_with_a_running_grant_is_kept(db):
    settings = make_settings()
    citizen, _ = await ended_citizen(db)
    product = await db.fetchval("SELECT min(id) FROM product")
    await make_grant(db, citizen, product, 30, NOW.date())  # until further notice
    await purge(db, settings, NOW + YEARS_6)
    assert await db.fetchval("SELECT name FROM citizen WHERE id = $1", citizen) == "Ruth Retention"


async def test_short_lived_records_go_when_their_period_has_passed(db):
    settings = make_settings()
    citizen, _ = await ended_citizen(db)  # with a session that ends in an hour
    subscription = await db.fetchval("INSERT INTO push_subscription (citizen_id, endpoint, p256dh, auth) "
                                      "VALUES ($1, 'https://push.example/1', 'k', 'a') RETURNING id", citizen)
    await db.execute("INSERT INTO push_delivery (job_key, subscription_id) VALUES ('parcel:1', $1)", subscription)
    await db.execute("INSERT INTO pgqueuer_log (job_id, status, priority, entrypoint) VALUES (1, 'successful', 0, 'x')")
    await db.execute("INSERT INTO rate_limit (key, window_start, window_s, hits) VALUES ('k', now(), 60, 1)")
    before = await plan(db, settings, NOW)
    assert before["job_history"] == 0 and before["rate_limit_windows"] == 0 and before["push_deliveries"] == 0
    later = NOW + dt.timedelta(days=31)
    counts = await plan(db, settings, later)
    assert counts["job_history"] >= 1 and counts["rate_limit_windows"] >= 1 and counts["sessions"] >= 1
    assert counts["push_deliveries"] == 1
    removed = await purge(db, settings, later)
    assert removed["job_history"] == counts["job_history"] and removed["sessions"] == counts["sessions"]
    assert await db.fetchval("SELECT count(*) FROM pgqueuer_log") == 0
    assert await db.fetchval("SELECT count(*) FROM rate_limit") == 0
    assert await db.fetchval("SELECT count(*) FROM push_delivery") == 0
    assert await db.fetchval("SELECT count(*) FROM session WHERE expires_at > $1", later) == 0


async def test_the_access_log_keeps_five_years_and_stays_append_only(db):
    settings = make_settings()
    await db.execute("INSERT INTO audit_log (at, actor_kind, action) VALUES (now() - interval '6 years', 'system', 'old'),"
                     " (now() - interval '4 years', 'system', 'recent'), (now(), 'system', 'fresh')")
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await db.execute("DELETE FROM audit_log WHERE action = 'old'")
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await db.execute("UPDATE audit_log SET action = 'changed' WHERE action = 'old'")
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await db.execute("TRUNCATE audit_log")
    with pytest.raises(asyncpg.RaiseError, match="younger than one year"):
        await db.fetchval("SELECT purge_audit_log(now())")
    # Even a clock moved far ahead removes nothing younger than a year.
    assert (await purge(db, settings, NOW))["audit_log"] == 1
    assert {r["action"] for r in await db.fetch("SELECT action FROM audit_log WHERE actor_kind = 'system' "
                                                "AND action IN ('old', 'recent')")} == {"recent"}
    await purge(db, settings, NOW + YEARS_6)
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'fresh'") == 1
    # Outside the function the cutoff it sets is gone: an ordinary delete still fails.
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await db.execute("DELETE FROM audit_log WHERE action = 'fresh'")


async def test_fsc_purge_dry_run_shows_what_would_go_and_changes_nothing(db_url, db):
    await ended_citizen(db)
    await db.execute("INSERT INTO pgqueuer_log (job_id, status, priority, entrypoint, created) "
                     "VALUES (1, 'successful', 0, 'x', now() - interval '40 days')")
    env = app_env(db_url, FSC_CITIZEN_KEEP_DAYS="300")
    done = subprocess.run([sys.executable, "-m", "backend.cli", "purge", "--dry-run"], env=env,
                          capture_output=True, text=True, cwd=os.getcwd())
    assert done.returncode == 0, done.stderr
    assert "would remove (dry run):" in done.stdout
    assert "citizens_to_anonymise: 1" in done.stdout and "job_history: 1" in done.stdout
    assert await db.fetchval("SELECT count(*) FROM citizen WHERE name = 'Ruth Retention'") == 1
    assert await db.fetchval("SELECT count(*) FROM pgqueuer_log") == 1
