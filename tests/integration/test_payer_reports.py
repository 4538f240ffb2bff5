"""Reports for payers (issue 16 §8): the daily aggregates equal a direct computation from the raw
rows (also after a late delivery and a late decision), spend at the price of the order's day,
percentiles come from summed histograms, the payer filter, the CSV, bad input, a caseworker's
own authority only, and the access log."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from backend.parcels.service import record_event
from backend.reports.aggregate import rebuild, refresh_recent
from backend.reports.buckets import bucket_of
from backend.reports.figures import month_figures
from backend.reports.params import months_back
from backend.warehouse.protocol import DeliveredEvent, ItemBackorderedEvent
from tests.factories import make_citizen, make_grant, make_order, make_product
from tests.integration.report_direct import assert_equal, direct_figures
from tests.integration.test_staff import staff_id, staff_login

CPH = ZoneInfo("Europe/Copenhagen")
NORDDJURS = 707


def today() -> dt.date:
    return dt.datetime.now(CPH).date()


async def report(db, payer_ids=None):
    """Every payer and month of the data: from the first order to next month (callbacks ahead)."""
    first = (await db.fetchval("SELECT min(placed_at) FROM order_")).astimezone(CPH).date().replace(day=1)
    last = months_back(today().replace(day=1), -1)
    return await month_figures(db, first, last, payer_ids, by_payer=True)


async def make_change_request(db, citizen: int, grant: int, current: int, wanted: int, made_days_ago: int,
                              answered_after_hours: float | None = None) -> int:
    """A product-change request made ``made_days_ago`` days ago at 9:00; rejected after the hours given, else open."""
    made = dt.datetime.combine(today() - dt.timedelta(days=made_days_ago), dt.time(9), CPH)
    decided = None if answered_after_hours is None else made + dt.timedelta(hours=answered_after_hours)
    return await db.fetchval(
        """INSERT INTO change_request (citizen_id, grant_id, current_product_id, wanted_product_id, payer_id, reason,
                                       created_by_kind, created_by_id, created_at, due_on, status, decided_at,
                                       decided_by, decision_note)
           SELECT $1, $2, $3, $4, g.payer_id, 'leaks', 'citizen', $1, $5::timestamptz, ($5::timestamptz)::date + 2,
                  CASE WHEN $6::timestamptz IS NULL THEN 'open' ELSE 'rejected' END, $6,
                  CASE WHEN $6::timestamptz IS NULL THEN NULL ELSE (SELECT min(id) FROM staff) END,
                  CASE WHEN $6::timestamptz IS NULL THEN '' ELSE 'Prøv først en anden størrelse.' END
             FROM grant_ g WHERE g.id = $2 RETURNING id""",
        citizen, grant, current, wanted, made, decided)


async def decide(db, request_id: int, after_hours: float) -> None:
    await db.execute("""UPDATE change_request SET status = 'rejected', decided_at = created_at + make_interval(hours => $2),
                               decided_by = (SELECT min(id) FROM staff), decision_note = 'Nej tak.' WHERE id = $1""",
                     request_id, after_hours)


async def norddjurs_history(db) -> dict[str, int]:
    """A Norddjurs citizen with three orders: delivered (one item backordered first), on its way, cancelled;
    and two requests for another product: one answered after 30 hours, one still open."""
    citizen = await make_citizen(db, "Rapport Borger", "0101501234", municipality_code=NORDDJURS)
    product = await make_product(db, "Rapportpose", pack_size=30)
    grant = await make_grant(db, citizen, product, 90, today() - dt.timedelta(days=60))
    other = await make_product(db, "Rapportpose anden")
    await make_change_request(db, citizen, grant, product, other, 10, answered_after_hours=30)
    open_request = await make_change_request(db, citizen, grant, product, other, 2)
    delivered = await make_order(db, citizen, grant, product, 2, 30, today() - dt.timedelta(days=12), status="placed")
    on_its_way = await make_order(db, citizen, grant, product, 1, 30, today() - dt.timedelta(days=10),
                                  status="handed_to_carrier")
    await make_order(db, citizen, grant, product, 3, 30, today() - dt.timedelta(days=8), status="cancelled")
    placed = await db.fetchval("SELECT placed_at FROM order_ WHERE id = $1", delivered)
    item_no = await db.fetchval("SELECT item_no FROM product WHERE id = $1", product)
    await record_event(db, ItemBackorderedEvent(event_id=f"r-{delivered}-bo", order_id=delivered, item_no=item_no,
                                                expected_date=today(), occurred_at=_utc(placed + dt.timedelta(hours=3))))
    await record_event(db, DeliveredEvent(event_id=f"r-{delivered}-d", order_id=delivered,
                                          occurred_at=_utc(placed + dt.timedelta(hours=50))))
    return {"citizen": citizen, "product": product, "delivered": delivered, "on_its_way": on_its_way,
            "open_request": open_request}


def _utc(at: dt.datetime) -> dt.datetime:
    return at.astimezone(dt.timezone.utc)


async def payer_id(db, code: int) -> int:
    return await db.fetchval("SELECT id FROM authority WHERE code = $1", code)


async def test_aggregates_equal_a_direct_computation_also_after_a_late_delivery(db):
    history = await norddjurs_history(db)
    await refresh_recent(db, today())
    assert_equal(await report(db), await direct_figures(db))  # the demo history and ours

    norddjurs = await payer_id(db, NORDDJURS)
    month = (today() - dt.timedelta(days=10)).replace(day=1)
    mine = [m for m in await report(db, [norddjurs]) if m.month == month]
    # The late delivery: the carrier confirms days later an order placed 10 days ago.
    placed = await db.fetchval("SELECT placed_at FROM order_ WHERE id = $1", history["on_its_way"])
    await record_event(db, DeliveredEvent(event_id="r-late", order_id=history["on_its_way"],
                                          occurred_at=_utc(placed + dt.timedelta(hours=150))))
    await refresh_recent(db, today())
    after = [m for m in await report(db, [norddjurs]) if m.month == month]
    assert assert_equal(await report(db), await direct_figures(db)) > 10
    assert after[0].delivered == mine[0].delivered + 1
    assert after[0].lead_histogram != mine[0].lead_histogram

    # The open request is answered later: it moves from open to answered on the day it was made.
    request_month = (today() - dt.timedelta(days=2)).replace(day=1)
    [before] = [m for m in await report(db, [norddjurs]) if m.month == request_month]
    assert before.change_requests - before.change_decided >= 1
    await decide(db, history["open_request"], 100)
    await refresh_recent(db, today())
    [answered] = [m for m in await report(db, [norddjurs]) if m.month == request_month]
    assert (answered.change_requests, answered.change_decided) == (before.change_requests, before.change_decided + 1)
    assert answered.change_histogram[bucket_of(100)] == before.change_histogram.get(bucket_of(100), 0) + 1
    assert assert_equal(await report(db), await direct_figures(db)) > 10


async def test_spend_stays_at_the_price_of_the_order_day_when_the_contract_price_changes(db):
    citizen = await make_citizen(db, "Pris Borger", "0303503456", municipality_code=NORDDJURS)
    product = await make_product(db, "Prispose")    # 500,00 kr. per pack
    grant = await make_grant(db, citizen, product, 90, today() - dt.timedelta(days=60))
    day = today() - dt.timedelta(days=3)
    await make_order(db, citizen, grant, product, 2, 30, day, status="placed")
    # The tender's new price list: the pack costs 600,00 kr. from today.
    await db.execute("UPDATE product SET price_oere = 60000 WHERE id = $1", product)
    await db.execute("INSERT INTO product_price (product_id, valid_from, price_oere) VALUES ($1, $2, 60000)",
                     product, today())
    await refresh_recent(db, today())
    norddjurs = await payer_id(db, NORDDJURS)
    [figures] = await month_figures(db, day.replace(day=1), day.replace(day=1), [norddjurs], by_payer=False)
    mine = await db.fetchval("""SELECT sum(l.packs * l.price_oere) FROM order_line l JOIN order_ o ON o.id = l.order_id
                                 WHERE o.citizen_id = $1""", citizen)
    assert mine == 2 * 50000
    others = await db.fetchval(
        """SELECT coalesce(sum(l.packs * l.price_oere), 0) FROM order_line l JOIN order_ o ON o.id = l.order_id
             JOIN grant_ g ON g.id = l.grant_id
            WHERE g.payer_id = $1 AND o.citizen_id <> $2 AND o.status <> 'cancelled'
              AND date_trunc('month', o.placed_at AT TIME ZONE 'Europe/Copenhagen') = $3""",
        norddjurs, citizen, day.replace(day=1))
    assert figures.spend_oere == others + 2 * 50000   # not 2 x 600,00 kr.
    assert_equal(await report(db), await direct_figures(db))


async def test_refresh_is_idempotent_and_a_full_rebuild_gives_the_same_rows(db):
    await norddjurs_history(db)
    await refresh_recent(db, today())
    tables = ("SELECT * FROM report_payer_day ORDER BY payer_id, day",
              "SELECT * FROM report_payer_month ORDER BY payer_id, month")
    once = [await db.fetch(query) for query in tables]
    await refresh_recent(db, today())
    assert [await db.fetch(query) for query in tables] == once
    await db.execute("DELETE FROM report_payer_day")
    await db.execute("DELETE FROM report_payer_month")
    await rebuild(db, None, today())
    assert [await db.fetch(query) for query in tables] == once
    # Each month is the sum of its days.
    assert await db.fetchval("""SELECT count(*) FROM report_payer_month m
                                 WHERE m.orders <> (SELECT coalesce(sum(d.orders), 0) FROM report_payer_day d
                                                     WHERE d.payer_id = m.payer_id
                                                       AND date_trunc('month', d.day) = m.month)""") == 0


async def test_percentiles_come_from_the_summed_histogram_not_from_daily_medians(db):
    citizen = await make_citizen(db, "Fraktil Borger", "0202502345", municipality_code=NORDDJURS)
    product = await make_product(db, "Fraktilpose")
    grant = await make_grant(db, citizen, product, 900, today() - dt.timedelta(days=60))
    month = today().replace(day=1) if today().day > 3 else months_back(today().replace(day=1), 1)
    # Day one: three deliveries in 10 h (daily median 10 h); day two: one in 100 h (median 100 h).
    # The month's median is 10 h (bucket 8-12 h -> 12); the mean of the daily medians would be 55 h.
    for day, hours in ((month, (9, 10, 11)), (month + dt.timedelta(days=1), (100,))):
        for h in hours:
            order = await make_order(db, citizen, grant, product, 1, 30, day, status="placed")
            placed = await db.fetchval("SELECT placed_at FROM order_ WHERE id = $1", order)
            await record_event(db, DeliveredEvent(event_id=f"p-{order}", order_id=order,
                                                  occurred_at=_utc(placed + dt.timedelta(hours=h))))
    await rebuild(db, month, today())
    [figures] = await month_figures(db, month, month, [await payer_id(db, NORDDJURS)], by_payer=False)
    assert figures.delivered == 4
    assert figures.lead_median.hours == 12
    assert figures.lead_p90.hours == 104   # 100 h falls in 100-104 h


async def test_the_page_and_csv_for_one_payer_show_only_that_payer(client, db):
    await norddjurs_history(db)
    await refresh_recent(db, today())
    await staff_login(client, await staff_id(db, "Peter Vang"))
    month = (today() - dt.timedelta(days=10)).strftime("%Y-%m")
    page = await client.get(f"/fsc/reports/payers?payer={NORDDJURS}&from={month}&to={month}")
    assert page.status_code == 200, page.text
    assert 'role="img"' in page.text and "Bestillinger pr. måned" in page.text
    assert "Rapporter for betalere" in page.text

    csv = await client.get(f"/fsc/reports/payers.csv?payer={NORDDJURS}&from={month}&to={month}")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert csv.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Danish Excel
    rows = [line.split(";") for line in csv.content.decode("utf-8-sig").split("\r\n") if line]
    assert rows[0][:4] == ["Betalerkode", "Betaler", "Måned", "Borgere betjent"]
    norddjurs = await payer_id(db, NORDDJURS)
    [want] = [m for m in await report(db, [norddjurs]) if m.month.strftime("%Y-%m") == month]
    assert rows[1:] == [[str(NORDDJURS), "Norddjurs", month, str(want.citizens), str(want.orders), str(want.pieces),
                         str(want.packs), f"{want.spend_oere // 100},{want.spend_oere % 100:02d}", str(want.delivered),
                         str(want.lead_median.hours or ""), str(want.lead_p90.hours or ""), str(want.backorders),
                         str(want.callbacks_handled), str(want.callbacks_waiting), str(want.change_requests),
                         str(want.change_decided), str(want.change_median.hours or ""), str(want.change_p90.hours or "")]]
    assert want.change_requests >= 1 and want.change_median.hours == 32   # answered after 30 h: 28-32 h

    everyone = await client.get(f"/fsc/reports/payers.csv?from={month}&to={month}")
    codes = {line.split(";")[0] for line in everyone.content.decode("utf-8-sig").split("\r\n")[1:] if line}
    assert str(NORDDJURS) in codes and len(codes) > 1
    actions = await db.fetch("SELECT action, detail FROM audit_log WHERE action LIKE '%payer_reports' ORDER BY id")
    assert [a["action"] for a in actions] == ["staff_viewed_payer_reports", "staff_downloaded_payer_reports",
                                              "staff_downloaded_payer_reports"]


async def test_bad_input_gets_a_clear_error_and_writes_nothing(client, db):
    await staff_login(client, await staff_id(db, "Peter Vang"))
    logged = await db.fetchval("SELECT count(*) FROM audit_log")
    cases = {
        "from=2026-13": "Skriv måneden som år og måned",
        "from=marts": "Skriv måneden som år og måned",
        "to=2026-1": "Skriv måneden som år og måned",
        "from=2026-06&to=2026-01": "Den første måned må ikke ligge efter den sidste måned.",
        "from=2020-01&to=2026-01": "Vælg højst 36 måneder ad gangen.",
        "payer=99999": "Vi kender ikke den betaler.",
        "payer=abc": "Vi kender ikke den betaler.",
    }
    for query, message in cases.items():
        page = await client.get(f"/fsc/reports/payers?{query}")
        assert page.status_code == 400, query
        assert message in page.text, query
        csv = await client.get(f"/fsc/reports/payers.csv?{query}")
        assert csv.status_code == 400 and message in csv.text, query
    assert await db.fetchval("SELECT count(*) FROM audit_log") == logged


async def test_reports_rebuild_command_recomputes_from_a_date_and_refuses_a_bad_one(db_url, db, capsys):
    import pytest

    from backend.cli import main
    from backend.reports.cli import rebuild_reports

    await db.execute("DELETE FROM report_payer_day")
    await db.execute("DELETE FROM report_payer_month")
    since = months_back(today().replace(day=1), 2)
    assert await rebuild_reports(db_url, since + dt.timedelta(days=9)) == 3   # widened to the month's first day
    assert await db.fetchval("SELECT min(day) FROM report_payer_day") >= since
    assert await db.fetchval("SELECT count(*) FROM report_payer_month WHERE month = $1", since) > 0
    with pytest.raises(SystemExit) as refused:
        main(["reports-rebuild", "--from", "2026-13-01"])
    assert refused.value.code == 2 and "--from must be a date" in capsys.readouterr().err
