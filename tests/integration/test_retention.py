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


HELPER = "Hanne Hjælper"
INVITED = "Ib Inviteret"
WISH = "Posen lækker om natten, jeg vil prøve en anden."
REFUSAL = "Afvist: Ruth har fået den samme pose før."
SUMMARY = "Ruth fik råd om hudpleje."


async def ended_citizen_with_helpers(db: asyncpg.Connection) -> tuple[int, int, int]:
    """Ruth (grants ended) with a helper's power, an open invitation, a refused change request with
    notes and an inbound call with the advisor's summary and internal note."""
    from tests.integration.log_helpers import make_helper

    citizen, order = await ended_citizen(db)
    helper = await make_helper(db, HELPER, "2002602345")
    power = await db.fetchval("INSERT INTO power_of_attorney (citizen_id, person_id, scopes, source) "
                              "VALUES ($1, $2, '{view,order}', 'invitation') RETURNING id", citizen, helper)
    await db.execute("INSERT INTO session (token_hash, person_id, acting_for_power_id, expires_at, idle_expires_at) "
                     "VALUES ('\\x02', $1, $2, now() + interval '1 hour', now() + interval '1 hour')", helper, power)
    await db.execute("INSERT INTO power_invitation (citizen_id, helper_name, scopes, token_hash, code_hash) "
                     "VALUES ($1, $2, '{view}', '\\x0a', '\\x0b')", citizen, INVITED)
    grant, product = await db.fetchrow("SELECT id, product_id FROM grant_ WHERE citizen_id = $1", citizen)
    other = await make_product(db, "Retention Pose Anden")
    staff = await db.fetchval("SELECT min(id) FROM staff")
    await db.execute(
        "INSERT INTO change_request (citizen_id, grant_id, current_product_id, wanted_product_id, payer_id, reason, "
        "note, created_by_kind, created_by_id, due_on, status, decided_at, decided_by, decision_note) "
        "SELECT $1, $2, $3, $4, municipality_id, 'leaks', $5, 'relative', $6, current_date, 'rejected', now(), $7, $8 "
        "FROM citizen WHERE id = $1", citizen, grant, product, other, WISH, helper, staff, REFUSAL)
    await db.execute("UPDATE grant_ SET content_hash = '\\x0c0d' WHERE id = $1", grant)  # as the intake writes it
    await db.execute("INSERT INTO callback (citizen_id, kind, topic, phone, status, claimed_by, outcome, outcome_note, "
                     "citizen_summary) VALUES ($1, 'inbound', 'product', '+45 20 30 40 50', 'done', $2, "
                     "'advice_given', 'Intern note om Ruth', $3)", citizen, staff, SUMMARY)
    return citizen, order, helper


async def test_anonymising_also_forgets_powers_invitations_notes_calls_and_the_lone_helper(db):
    settings = make_settings()
    citizen, order, helper = await ended_citizen_with_helpers(db)
    lines_before = await db.fetch("SELECT * FROM order_line WHERE order_id = $1", order)
    await purge(db, settings, NOW + YEARS_6)

    assert await db.fetchval("SELECT count(*) FROM power_of_attorney WHERE citizen_id = $1", citizen) == 0
    assert await db.fetchval("SELECT count(*) FROM power_invitation WHERE citizen_id = $1", citizen) == 0
    assert await db.fetchval("SELECT count(*) FROM callback WHERE citizen_id = $1", citizen) == 0
    assert await db.fetchval("SELECT count(*) FROM session WHERE person_id = $1", helper) == 0
    request = await db.fetchrow("SELECT * FROM change_request WHERE citizen_id = $1", citizen)
    assert (request["note"], request["decision_note"], request["status"]) == ("", "-", "rejected")
    person = await db.fetchrow("SELECT * FROM person WHERE id = $1", helper)
    assert person["name"] == ""
    from backend.citizens.cpr import cpr_hash
    from tests.conftest import TEST_CPR_KEY

    assert person["cpr_hash"] != cpr_hash(TEST_CPR_KEY, "2002602345")
    assert await db.fetchval("SELECT content_hash FROM grant_ WHERE citizen_id = $1", citizen) is None
    ruth = await db.fetchrow("SELECT * FROM citizen WHERE id = $1", citizen)
    assert (ruth["name"], ruth["street"], ruth["postcode"], ruth["city"], ruth["phone"], ruth["stoma_since"],
            ruth["birth_year"]) == ("", "", "", "", None, None, None)
    # No personal text is left in any text column of any table.
    for table, column in await db.fetch("SELECT table_name, column_name FROM information_schema.columns "
                                        "WHERE table_schema = 'public' AND data_type = 'text'"):
        for text in (HELPER, INVITED, WISH, REFUSAL, SUMMARY, "Intern note om Ruth", "Ruth Retention", "+45 20 30"):
            found = await db.fetchval(f'SELECT count(*) FROM "{table}" WHERE "{column}" LIKE $1',  # noqa: S608
                                      f"%{text}%")
            assert found == 0, (table, column, text)
    assert await db.fetch("SELECT * FROM order_line WHERE order_id = $1", order) == lines_before
    assert await db.fetchval("SELECT citizen_id FROM order_ WHERE id = $1", order) == citizen


async def test_a_helper_who_helps_someone_else_keeps_their_name(db):
    citizen, _order, helper = await ended_citizen_with_helpers(db)
    other = await make_citizen(db, "Olga Anden", "0303304567")
    await db.execute("INSERT INTO power_of_attorney (citizen_id, person_id, scopes, source) "
                     "VALUES ($1, $2, '{view}', 'invitation')", other, helper)
    await purge(db, make_settings(), NOW + YEARS_6)
    assert await db.fetchval("SELECT name FROM person WHERE id = $1", helper) == HELPER
    assert await db.fetchval("SELECT count(*) FROM power_of_attorney WHERE person_id = $1", helper) == 1


async def test_fsc_purge_dry_run_counts_a_citizen_with_helpers_and_changes_nothing(db_url, db):
    citizen, _order, helper = await ended_citizen_with_helpers(db)
    env = app_env(db_url, FSC_CITIZEN_KEEP_DAYS="300")
    done = subprocess.run([sys.executable, "-m", "backend.cli", "purge", "--dry-run"], env=env,
                          capture_output=True, text=True, cwd=os.getcwd())
    assert done.returncode == 0, done.stderr
    assert "citizens_to_anonymise: 1" in done.stdout
    assert await db.fetchval("SELECT count(*) FROM power_of_attorney WHERE citizen_id = $1", citizen) == 1
    assert await db.fetchval("SELECT count(*) FROM power_invitation WHERE citizen_id = $1", citizen) == 1
    assert await db.fetchval("SELECT note FROM change_request WHERE citizen_id = $1", citizen) == WISH
    assert await db.fetchval("SELECT citizen_summary FROM callback WHERE citizen_id = $1", citizen) == SUMMARY
    assert await db.fetchval("SELECT name FROM person WHERE id = $1", helper) == HELPER
