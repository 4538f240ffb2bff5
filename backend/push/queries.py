"""Push subscription, preference, delivery and reminder queries."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import asyncpg

from backend.push.sender import Target


async def upsert_subscription(conn: asyncpg.Connection, citizen_id: int, endpoint: str, p256dh: str, auth: str,
                              language: str, label: str) -> int:
    """Store a device; the same endpoint again (re-subscribing, another person on the same phone)
    takes over the row, so an endpoint always belongs to whoever subscribed it last."""
    return await conn.fetchval(
        """INSERT INTO push_subscription (citizen_id, endpoint, p256dh, auth, language, label)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (endpoint) DO UPDATE
              SET citizen_id = EXCLUDED.citizen_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth,
                  language = EXCLUDED.language,
                  label = CASE WHEN EXCLUDED.label = '' THEN push_subscription.label ELSE EXCLUDED.label END
           RETURNING id""",
        citizen_id, endpoint, p256dh, auth, language, label,
    )


async def lock_devices(conn: asyncpg.Connection, citizen_id: int) -> None:
    """Serialise one citizen's subscribes (in the caller's transaction), so two at once cannot
    both stay under the device cap and together exceed it."""
    await conn.execute("SELECT 1 FROM citizen WHERE id = $1 FOR NO KEY UPDATE", citizen_id)


async def delete_oldest_devices(conn: asyncpg.Connection, citizen_id: int, keep_id: int, max_devices: int) -> list[int]:
    """Keep ``keep_id`` and the citizen's newest other devices up to ``max_devices``; remove the rest."""
    rows = await conn.fetch(
        """DELETE FROM push_subscription WHERE id IN (
               SELECT id FROM push_subscription WHERE citizen_id = $1 AND id <> $2
                ORDER BY created_at DESC, id DESC OFFSET $3)
           RETURNING id""",
        citizen_id, keep_id, max_devices - 1)
    return sorted(row["id"] for row in rows)


async def select_subscription_by_endpoint(conn: asyncpg.Connection, endpoint: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, citizen_id, person_id, auth, language, label FROM push_subscription WHERE endpoint = $1 FOR UPDATE",
        endpoint)


async def replace_endpoint(conn: asyncpg.Connection, subscription_id: int, endpoint: str, p256dh: str,
                           auth: str) -> None:
    """A renewed subscription keeps its owner, language and label (push_delivery rows go with the old one)."""
    await conn.execute("DELETE FROM push_subscription WHERE endpoint = $1 AND id <> $2", endpoint, subscription_id)
    await conn.execute(
        "UPDATE push_subscription SET endpoint = $2, p256dh = $3, auth = $4 WHERE id = $1",
        subscription_id, endpoint, p256dh, auth,
    )


async def select_subscriptions(conn: asyncpg.Connection, citizen_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT id, label, language, created_at, last_success_at FROM push_subscription
            WHERE citizen_id = $1 ORDER BY created_at, id""", citizen_id)


async def delete_own_subscription(conn: asyncpg.Connection, citizen_id: int, subscription_id: int) -> bool:
    deleted = await conn.fetchval(
        "DELETE FROM push_subscription WHERE id = $1 AND citizen_id = $2 RETURNING true", subscription_id, citizen_id)
    return bool(deleted)


async def upsert_person_subscription(conn: asyncpg.Connection, person_id: int, citizen_id: int | None,
                                     endpoint: str, p256dh: str, auth: str, language: str, label: str) -> int:
    """A helper's device: it belongs to the person (and to their own citizen record, if any)."""
    return await conn.fetchval(
        """INSERT INTO push_subscription (person_id, citizen_id, endpoint, p256dh, auth, language, label)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (endpoint) DO UPDATE
              SET person_id = EXCLUDED.person_id, citizen_id = EXCLUDED.citizen_id, p256dh = EXCLUDED.p256dh,
                  auth = EXCLUDED.auth, language = EXCLUDED.language,
                  label = CASE WHEN EXCLUDED.label = '' THEN push_subscription.label ELSE EXCLUDED.label END
           RETURNING id""",
        person_id, citizen_id, endpoint, p256dh, auth, language, label)


async def lock_person_devices(conn: asyncpg.Connection, person_id: int) -> None:
    await conn.execute("SELECT 1 FROM person WHERE id = $1 FOR NO KEY UPDATE", person_id)


async def delete_oldest_person_devices(conn: asyncpg.Connection, person_id: int, keep_id: int,
                                       max_devices: int) -> list[int]:
    rows = await conn.fetch(
        """DELETE FROM push_subscription WHERE id IN (
               SELECT id FROM push_subscription WHERE person_id = $1 AND id <> $2
                ORDER BY created_at DESC, id DESC OFFSET $3)
           RETURNING id""",
        person_id, keep_id, max_devices - 1)
    return sorted(row["id"] for row in rows)


async def select_person_subscriptions(conn: asyncpg.Connection, person_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT id, label, language, created_at, last_success_at FROM push_subscription
            WHERE person_id = $1 ORDER BY created_at, id""", person_id)


async def delete_person_subscription(conn: asyncpg.Connection, person_id: int, subscription_id: int) -> bool:
    deleted = await conn.fetchval(
        "DELETE FROM push_subscription WHERE id = $1 AND person_id = $2 RETURNING true", subscription_id, person_id)
    return bool(deleted)


async def select_disabled_types(conn: asyncpg.Connection, citizen_id: int) -> set[str]:
    rows = await conn.fetch("SELECT type FROM push_preference WHERE citizen_id = $1 AND NOT enabled", citizen_id)
    return {row["type"] for row in rows}


async def save_preferences(conn: asyncpg.Connection, citizen_id: int, settings: dict[str, bool]) -> None:
    await conn.execute(
        """INSERT INTO push_preference (citizen_id, type, enabled)
           SELECT $1, t.type, t.enabled FROM unnest($2::text[], $3::boolean[]) AS t(type, enabled)
           ON CONFLICT (citizen_id, type) DO UPDATE SET enabled = EXCLUDED.enabled""",
        citizen_id, list(settings), list(settings.values()),
    )


class Wanted(NamedTuple):
    """A notice to send: to whom (citizen), its switch (push_preference.type), its key, and whether
    the citizen's helpers get it too."""

    citizen_id: int
    notice_type: str
    job_key: str
    helpers: bool = False


async def select_targets(conn: asyncpg.Connection,
                         wanted: list[Wanted]) -> list[tuple[int, Target, str, str | None]]:
    """(index into ``wanted``, device, language, None) for each notice's citizen's devices that want
    its type and have not had it yet; with ``helpers``, also (…, the citizen's name) for the devices
    of the people who help the citizen with the "notifications" scope under a live power (checked
    now: a revoked power or scope stops them at once). The citizen's switches are the citizen's own.
    One statement for a whole batch of notices (a reminder run sends thousands)."""
    rows = await conn.fetch(
        """WITH n AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::boolean[])
                               WITH ORDINALITY AS n(citizen_id, type, job_key, helpers, ord))
           SELECT n.ord, s.id, s.endpoint, s.p256dh, s.auth, s.language, NULL::text AS about
             FROM n JOIN push_subscription s ON s.citizen_id = n.citizen_id
            WHERE NOT EXISTS (SELECT 1 FROM push_preference p
                               WHERE p.citizen_id = s.citizen_id AND p.type = n.type AND NOT p.enabled)
              AND NOT EXISTS (SELECT 1 FROM push_delivery d WHERE d.job_key = n.job_key AND d.subscription_id = s.id)
           UNION ALL
           SELECT n.ord, s.id, s.endpoint, s.p256dh, s.auth, s.language, c.name
             FROM n JOIN power_of_attorney pw ON pw.citizen_id = n.citizen_id
                  JOIN citizen c ON c.id = pw.citizen_id
                  JOIN push_subscription s ON s.person_id = pw.person_id
            WHERE n.helpers AND pw.revoked_at IS NULL AND (pw.valid_to IS NULL OR pw.valid_to > now())
              AND 'notifications' = ANY (pw.scopes) AND s.citizen_id IS DISTINCT FROM n.citizen_id
              AND NOT EXISTS (SELECT 1 FROM push_delivery d WHERE d.job_key = n.job_key AND d.subscription_id = s.id)
            ORDER BY ord, id""",
        [w.citizen_id for w in wanted], [w.notice_type for w in wanted], [w.job_key for w in wanted],
        [w.helpers for w in wanted],
    )
    return [(r["ord"] - 1, Target(r["id"], r["endpoint"], r["p256dh"], r["auth"]), r["language"], r["about"])
            for r in rows]


async def record_outcomes(conn: asyncpg.Connection, sent: list[tuple[str, int]], gone: list[int]) -> int:
    """In one statement: remember which device got which notice (job key, subscription) and when a
    device last worked, and delete the devices that are gone; returns how many were deleted. A
    device both sent to and gone in one batch counts as gone (the caller leaves it out of ``sent``)."""
    return await conn.fetchval(
        """WITH done AS (
               INSERT INTO push_delivery (job_key, subscription_id)
               SELECT u.job_key, u.id FROM unnest($1::text[], $2::bigint[]) AS u(job_key, id)
                WHERE EXISTS (SELECT 1 FROM push_subscription s WHERE s.id = u.id)  -- unsubscribed meanwhile
               ON CONFLICT DO NOTHING RETURNING subscription_id),
           worked AS (
               UPDATE push_subscription SET last_success_at = now() WHERE id IN (SELECT subscription_id FROM done)),
           removed AS (DELETE FROM push_subscription WHERE id = ANY($3::bigint[]) RETURNING id)
           SELECT count(*) FROM removed""",
        [key for key, _id in sent], [subscription_id for _key, subscription_id in sent], gone,
    )


async def delete_failing_subscriptions(conn: asyncpg.Connection, subscription_ids: list[int],
                                      since: dt.datetime) -> int:
    """Remove devices given up on, except those a notice reached since ``since`` (they work)."""
    if not subscription_ids:
        return 0
    result = await conn.execute(
        """DELETE FROM push_subscription WHERE id = ANY($1::bigint[])
              AND (last_success_at IS NULL OR last_success_at < $2)""", subscription_ids, since)
    return int(result.split()[-1])


async def delete_old_deliveries(conn: asyncpg.Connection, older_than: dt.timedelta) -> int:
    result = await conn.execute("DELETE FROM push_delivery WHERE sent_at < now() - $1::interval", older_than)
    return int(result.split()[-1])


async def select_helper_order_notice(conn: asyncpg.Connection, order_id: int) -> asyncpg.Record | None:
    """An order a helper placed, with the helper's name (for the citizen's notice)."""
    return await conn.fetchrow(
        """SELECT o.id, o.citizen_id, p.name AS helper_name FROM order_ o JOIN person p ON p.id = o.placed_by_id
            WHERE o.id = $1 AND o.placed_by_kind = 'relative'""", order_id)


async def select_order_notice(conn: asyncpg.Connection, order_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT id, citizen_id FROM order_ WHERE id = $1", order_id)


async def select_parcel_attempt(conn: asyncpg.Connection, order_id: int, parcel_no: int) -> int:
    return await conn.fetchval(
        "SELECT coalesce((SELECT attempt FROM parcel WHERE order_id = $1 AND parcel_no = $2), 0)", order_id, parcel_no)


# --- reminders ---------------------------------------------------------------------------------

async def select_reminder_candidates(conn: asyncpg.Connection, today: dt.date,
                                     since: dt.date) -> list[asyncpg.Record]:
    """Active grants of citizens with at least one device, with their non-cancelled order lines
    since ``since`` as (delivery day, pieces) pairs and the reminders already sent for them."""
    return await conn.fetch(
        """SELECT g.id AS grant_id, g.citizen_id, g.quantity_per_period, g.period_days, g.valid_from, g.valid_to,
                  coalesce(d.days, '{}') AS days, coalesce(d.pieces, '{}') AS pieces,
                  coalesce((SELECT array_agg(r.kind || ':' || r.period_start::text)
                              FROM reminder_sent r WHERE r.grant_id = g.id), '{}') AS sent
             FROM grant_ g
             LEFT JOIN LATERAL (
                  SELECT array_agg(x.day ORDER BY x.day) AS days, array_agg(x.pieces ORDER BY x.day) AS pieces
                    FROM (SELECT coalesce(o.expected_delivery, (o.placed_at AT TIME ZONE 'Europe/Copenhagen')::date)
                                 AS day, l.pieces
                            FROM order_line l JOIN order_ o ON o.id = l.order_id
                           WHERE l.grant_id = g.id AND o.status NOT IN ('cancelled', 'returned')
                             AND o.placed_at >= $2::date) x) d ON true
            WHERE g.valid_from <= $1 AND (g.valid_to IS NULL OR g.valid_to >= $1)
              AND EXISTS (SELECT 1 FROM push_subscription s WHERE s.citizen_id = g.citizen_id)""",
        today, since,
    )


async def claim_reminder(conn: asyncpg.Connection, citizen_id: int, grant_id: int, kind: str,
                         period_start: dt.date) -> bool:
    """Record a reminder as sent; False when it was sent before (once per period)."""
    inserted = await conn.fetchval(
        """INSERT INTO reminder_sent (citizen_id, grant_id, kind, period_start) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING RETURNING true""",
        citizen_id, grant_id, kind, period_start,
    )
    return bool(inserted)
