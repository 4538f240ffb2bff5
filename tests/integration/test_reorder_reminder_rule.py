""""Time to order again – order again with one tap" only when the one tap would order that grant.

The reminder follows the supply (it is due a week before it runs out); what may be ordered
follows the grant's periods and the supply horizon. A new-stoma citizen may order about one
month at a time, so a week before the next period starts their tap has nothing to order: the
reminder waits until it has (and is not used up meanwhile, so it still comes that period).
"""

import datetime as dt

from backend.grants.routes import home_values
from backend.push.queries import upsert_subscription
from backend.push.rules import COPENHAGEN
from backend.push.service import plan_reminders
from tests.factories import make_citizen, make_grant, make_order, make_product


async def citizen_running_low(db, cpr: str, stoma_days: int, today: dt.date) -> tuple[int, int]:
    """A citizen whose 30 days' supply, ordered when the period began 25 days ago, runs out in 5 days."""
    citizen = await make_citizen(db, "Snart Tom", cpr, stoma_since=today - dt.timedelta(days=stoma_days))
    product = await make_product(db, f"Snart Tom Pose {cpr}", 30)
    grant = await make_grant(db, citizen, product, 90, today - dt.timedelta(days=25))
    await make_order(db, citizen, grant, product, 3, 30, today - dt.timedelta(days=25))
    await upsert_subscription(db, citizen, f"https://fcm.googleapis.com/fcm/send/{cpr}", "p256dh", "auth", "da", "")
    return citizen, grant


async def reorder_jobs(db, citizen: int) -> int:
    return await db.fetchval("SELECT count(*) FROM reminder_sent WHERE citizen_id = $1 AND kind = 'time_to_reorder'",
                             citizen)


async def test_no_reorder_reminder_while_the_one_tap_has_nothing_to_order(db):
    now = dt.datetime.now(COPENHAGEN).replace(hour=12)
    today = now.date()
    new, new_grant = await citizen_running_low(db, "1212801234", 40, today)        # new stoma: one month at a time
    settled, settled_grant = await citizen_running_low(db, "1313801234", 900, today)  # three months at a time

    assert [g.id for g in (await home_values(db, new, today))["one_tap"]] == []
    assert [g.id for g in (await home_values(db, settled, today))["one_tap"]] == [settled_grant]
    await plan_reminders(db, now)
    assert await reorder_jobs(db, new) == 0
    assert await reorder_jobs(db, settled) == 1

    # Once the new period has begun, the tap has something to order and the reminder comes.
    later = now + dt.timedelta(days=5)
    assert [g.id for g in (await home_values(db, new, later.date()))["one_tap"]] == [new_grant]
    await plan_reminders(db, later)
    assert await reorder_jobs(db, new) == 1
