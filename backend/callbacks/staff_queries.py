"""Queries behind the queue and the call view: list, claim, release, record an outcome, open an
inbound call, and the citizen's context (grants, last orders, earlier calls).

``call_at`` is when the call is (a booked callback's slot) or was opened (an inbound call)."""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend.callbacks.rules import CLAIMABLE_STATUSES, OPEN_STATUSES

_CALLBACK_COLUMNS = """c.id, c.citizen_id, c.slot_start, c.topic, c.phone, c.note, c.status, c.attempts,
                       c.claimed_by, c.claimed_at, c.outcome, c.outcome_note, c.version, c.created_at,
                       c.updated_at, c.citizen_summary, c.kind, coalesce(c.slot_start, c.created_at) AS call_at"""


async def select_queue(conn: asyncpg.Connection, since: dt.datetime) -> list[asyncpg.Record]:
    """Today's and later booked requests, plus older ones still open, ordered by slot (cancelled ones left out;
    inbound calls are not queued: the advisor who took the call has it)."""
    return await conn.fetch(
        f"""SELECT {_CALLBACK_COLUMNS}, ci.name AS citizen_name, s.name AS advisor_name
              FROM callback c
              JOIN citizen ci ON ci.id = c.citizen_id
              LEFT JOIN staff s ON s.id = c.claimed_by
             WHERE c.status <> 'cancelled' AND c.kind = 'booked'
               AND (c.slot_start >= $1 OR c.status = ANY($2::text[]))
             ORDER BY c.slot_start, c.id
             LIMIT 500""",
        since, list(OPEN_STATUSES),
    )


async def claim(conn: asyncpg.Connection, callback_id: int, staff_id: int) -> asyncpg.Record | None:
    """Take a waiting request; None when somebody else has it (or it is not waiting). One statement,
    so of any number of concurrent claims exactly one matches the WHERE clause."""
    return await conn.fetchrow(
        """UPDATE callback SET status = 'in_progress', claimed_by = $2, claimed_at = now(), updated_at = now()
            WHERE id = $1 AND status = ANY($3::text[]) AND claimed_by IS NULL
           RETURNING id, citizen_id""",
        callback_id, staff_id, list(CLAIMABLE_STATUSES),
    )


async def release(conn: asyncpg.Connection, callback_id: int, staff_id: int) -> asyncpg.Record | None:
    """Give a claimed request back to the queue (as it was: waiting, or no answer after a try)."""
    return await conn.fetchrow(
        """UPDATE callback
              SET status = CASE WHEN attempts > 0 THEN 'no_answer' ELSE 'waiting' END,
                  claimed_by = NULL, claimed_at = NULL, updated_at = now()
            WHERE id = $1 AND status = 'in_progress' AND claimed_by = $2 AND kind = 'booked'
           RETURNING id, citizen_id, status""",
        callback_id, staff_id,
    )


async def lock_attempts(conn: asyncpg.Connection, callback_id: int) -> int | None:
    """Lock the request for the outcome transaction; return its unanswered tries so far."""
    return await conn.fetchval("SELECT attempts FROM callback WHERE id = $1 FOR UPDATE", callback_id)


async def record_outcome(
    conn: asyncpg.Connection, callback_id: int, staff_id: int, *, status: str, attempts: int | None,
    outcome: str, topic: str, note: str, summary: str = "",
) -> asyncpg.Record | None:
    """Close (or, after no answer, re-queue) a request the staff member has; None if they do not have it.
    A re-queued request ('no_answer') is nobody's; a closed one keeps who handled it."""
    return await conn.fetchrow(
        """UPDATE callback
              SET status = $3, attempts = coalesce($4, attempts), outcome = $5, outcome_note = $6, topic = $8,
                  citizen_summary = CASE WHEN $3 = 'done' THEN nullif($7, '') END,
                  claimed_by = CASE WHEN $3 = 'no_answer' THEN NULL ELSE claimed_by END,
                  claimed_at = CASE WHEN $3 = 'no_answer' THEN NULL ELSE claimed_at END,
                  updated_at = now()
            WHERE id = $1 AND status = 'in_progress' AND claimed_by = $2
           RETURNING id, citizen_id, status, attempts""",
        callback_id, staff_id, status, attempts, outcome, note, summary, topic,
    )


async def select_callback(conn: asyncpg.Connection, callback_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"""SELECT {_CALLBACK_COLUMNS}, s.name AS advisor_name
              FROM callback c LEFT JOIN staff s ON s.id = c.claimed_by
             WHERE c.id = $1""",
        callback_id,
    )


async def select_citizen(conn: asyncpg.Connection, citizen_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT c.id, c.name, c.street, c.postcode, c.city, c.phone, c.stoma_since, c.birth_year,
                  a.name AS municipality, c.municipality_id
             FROM citizen c JOIN authority a ON a.id = c.municipality_id
            WHERE c.id = $1""",
        citizen_id,
    )


async def select_last_orders(conn: asyncpg.Connection, citizen_id: int, limit: int = 5) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT o.id, o.placed_at, o.status, o.placed_by_kind, o.cancel_state,
                  EXISTS (SELECT 1 FROM order_attention a WHERE a.order_id = o.id AND a.handled_at IS NULL)
                      AS needs_attention
             FROM order_ o
            WHERE o.citizen_id = $1 ORDER BY o.placed_at DESC, o.id DESC LIMIT $2""",
        citizen_id, limit,
    )


async def select_other_callbacks(conn: asyncpg.Connection, citizen_id: int, callback_id: int,
                                 limit: int = 10) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""SELECT {_CALLBACK_COLUMNS}, s.name AS advisor_name
              FROM callback c LEFT JOIN staff s ON s.id = c.claimed_by
             WHERE c.citizen_id = $1 AND c.id <> $2
             ORDER BY coalesce(c.slot_start, c.created_at) DESC, c.id DESC
             LIMIT $3""",
        citizen_id, callback_id, limit,
    )


async def insert_inbound_call(conn: asyncpg.Connection, citizen_id: int, staff_id: int, topic: str | None,
                              phone: str | None) -> asyncpg.Record | None:
    """Open an inbound call, already the advisor's (in progress); None when there is no such citizen."""
    return await conn.fetchrow(
        """INSERT INTO callback (citizen_id, kind, topic, phone, status, claimed_by, claimed_at)
           SELECT id, 'inbound', $3, $4, 'in_progress', $2, now() FROM citizen WHERE id = $1
           RETURNING id, citizen_id""",
        citizen_id, staff_id, topic, phone,
    )
