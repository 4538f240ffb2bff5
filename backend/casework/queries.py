"""Change-request and caseworker queries: explicit SQL, one function per statement.

Every caseworker query takes the caseworker's ``authority_id`` and filters by it: a citizen of
their municipality, or a grant (and its change requests) their authority pays."""

from __future__ import annotations

import datetime as dt

import asyncpg

_REQUEST_COLUMNS = """r.id, r.citizen_id, r.grant_id, r.payer_id, r.reason, r.note, r.status, r.created_at, r.due_on,
       r.created_by_kind, r.decided_at, r.decision_note, r.effective_from, r.new_grant_id,
       r.current_product_id, cur.name AS current_product, cur.item_no AS current_item_no,
       r.wanted_product_id, want.name AS wanted_product, want.item_no AS wanted_item_no"""
_REQUEST_JOINS = """JOIN product cur ON cur.id = r.current_product_id
  JOIN product want ON want.id = r.wanted_product_id"""


# --- asking ---------------------------------------------------------------------------------------

async def select_grant_for_change(conn: asyncpg.Connection, citizen_id: int, grant_id: int) -> asyncpg.Record | None:
    """The citizen's grant with its product's area and its payer's service target (None: not theirs)."""
    return await conn.fetchrow(
        """SELECT g.id, g.product_id, g.valid_from, g.valid_to, g.payer_id, p.area_code, p.name AS product_name,
                  a.change_request_working_days AS target_days
             FROM grant_ g JOIN product p ON p.id = g.product_id JOIN authority a ON a.id = g.payer_id
            WHERE g.id = $1 AND g.citizen_id = $2""",
        grant_id, citizen_id,
    )


async def select_changeable_grants(conn: asyncpg.Connection, citizen_id: int, today: dt.date) -> list[asyncpg.Record]:
    """The citizen's grants that have not ended, for the advisor's form."""
    return await conn.fetch(
        """SELECT g.id, p.name AS product_name, p.item_no, p.area_code
             FROM grant_ g JOIN product p ON p.id = g.product_id
            WHERE g.citizen_id = $1 AND (g.valid_to IS NULL OR g.valid_to >= $2)
            ORDER BY p.name, g.id""",
        citizen_id, today,
    )


async def select_product(conn: asyncpg.Connection, product_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT id, area_code, active, name FROM product WHERE id = $1", product_id)


async def select_alternatives(conn: asyncpg.Connection, areas: list[str]) -> list[asyncpg.Record]:
    """Active catalogue products of the given areas, grouped by category then name."""
    return await conn.fetch(
        """SELECT p.id, p.name, p.item_no, p.category, p.area_code, m.name AS manufacturer
             FROM product p JOIN manufacturer m ON m.id = p.manufacturer_id
            WHERE p.active AND p.area_code = ANY($1::text[])
            ORDER BY p.category, p.name, p.id""",
        areas,
    )


async def insert_change_request(conn: asyncpg.Connection, *, citizen_id: int, grant_id: int, current_product_id: int,
                                wanted_product_id: int, payer_id: int, reason: str, note: str, actor: tuple[str, int],
                                due: dt.date) -> int:
    """A new open request (the unique index refuses a second open one for the same grant)."""
    return await conn.fetchval(
        """INSERT INTO change_request (citizen_id, grant_id, current_product_id, wanted_product_id, payer_id,
                                       reason, note, created_by_kind, created_by_id, due_on)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id""",
        citizen_id, grant_id, current_product_id, wanted_product_id, payer_id, reason, note, actor[0], actor[1], due,
    )


async def select_citizen_requests(conn: asyncpg.Connection, citizen_id: int, limit: int = 50) -> list[asyncpg.Record]:
    """The citizen's requests, newest first ("Mine ønsker")."""
    return await conn.fetch(
        f"""SELECT {_REQUEST_COLUMNS}
              FROM change_request r {_REQUEST_JOINS}
             WHERE r.citizen_id = $1
             ORDER BY r.created_at DESC, r.id DESC LIMIT $2""",
        citizen_id, limit,
    )


def recent_for_home_sql(days: str) -> str:
    """The citizen's ($1) open requests and those answered in the last ``days`` (a parameter, e.g.
    "$5") days: the home page shows them on the grant card (read with its grants,
    grants.routes.HOME_SQL)."""
    return f"""SELECT r.id, r.grant_id, r.new_grant_id, r.status, r.created_at, r.effective_from,
                      want.name AS wanted_product
                 FROM change_request r JOIN product want ON want.id = r.wanted_product_id
                WHERE r.citizen_id = $1 AND (r.status = 'open' OR r.decided_at > now() - make_interval(days => {days}))"""


# --- the caseworker's side -------------------------------------------------------------------------

async def select_open_for_payer(conn: asyncpg.Connection, authority_id: int, limit: int = 200) -> list[asyncpg.Record]:
    """Open requests for grants the authority pays, the earliest due first."""
    return await conn.fetch(
        f"""SELECT {_REQUEST_COLUMNS}, c.name AS citizen_name
              FROM change_request r {_REQUEST_JOINS}
              JOIN citizen c ON c.id = r.citizen_id
             WHERE r.payer_id = $1 AND r.status = 'open'
             ORDER BY r.due_on, r.created_at, r.id LIMIT $2""",
        authority_id, limit,
    )


async def select_ending_soon(conn: asyncpg.Connection, authority_id: int, today: dt.date, until: dt.date,
                             limit: int = 200) -> list[asyncpg.Record]:
    """Grants the authority pays that end between today and ``until`` (not those ended by an approved
    product change: the new grant carries on)."""
    return await conn.fetch(
        """SELECT g.id, g.citizen_id, g.valid_to, c.name AS citizen_name, p.name AS product_name
             FROM grant_ g JOIN citizen c ON c.id = g.citizen_id JOIN product p ON p.id = g.product_id
            WHERE g.payer_id = $1 AND g.valid_to BETWEEN $2 AND $3
              AND NOT EXISTS (SELECT 1 FROM change_request r WHERE r.grant_id = g.id AND r.status = 'approved')
            ORDER BY g.valid_to, c.name, g.id LIMIT $4""",
        authority_id, today, until, limit,
    )


async def select_request(conn: asyncpg.Connection, request_id: int, *, lock: bool = False) -> asyncpg.Record | None:
    """One request with its citizen and grant (``lock``: FOR UPDATE of the request, to decide it)."""
    return await conn.fetchrow(
        f"""SELECT {_REQUEST_COLUMNS}, c.name AS citizen_name, c.municipality_id,
                   g.quantity_per_period, g.period_days, g.valid_from, g.valid_to
              FROM change_request r {_REQUEST_JOINS}
              JOIN citizen c ON c.id = r.citizen_id
              JOIN grant_ g ON g.id = r.grant_id
             WHERE r.id = $1 {"FOR UPDATE OF r" if lock else ""}""",
        request_id,
    )


async def select_citizen_access(conn: asyncpg.Connection, citizen_id: int, authority_id: int) -> asyncpg.Record | None:
    """The citizen (None: unknown) and whether the authority may see them: their municipality, or a payer."""
    return await conn.fetchrow(
        """SELECT c.id, c.name, c.street, c.postcode, c.city, a.name AS municipality,
                  (c.municipality_id = $2 OR EXISTS (SELECT 1 FROM grant_ g WHERE g.citizen_id = $1
                                                                            AND g.payer_id = $2)) AS allowed
             FROM citizen c JOIN authority a ON a.id = c.municipality_id
            WHERE c.id = $1""",
        citizen_id, authority_id,
    )


async def select_citizen_grants_for(conn: asyncpg.Connection, citizen_id: int, authority_id: int,
                                    today: dt.date) -> list[asyncpg.Record]:
    """The citizen's current and coming grants the authority may see (all, for the citizen's own
    municipality; else those it pays)."""
    return await conn.fetch(
        """SELECT g.id, g.quantity_per_period, g.period_days, g.valid_from, g.valid_to, p.name AS product_name,
                  p.item_no, payer.name AS payer_name
             FROM grant_ g JOIN citizen c ON c.id = g.citizen_id JOIN product p ON p.id = g.product_id
             JOIN authority payer ON payer.id = g.payer_id
            WHERE g.citizen_id = $1 AND (c.municipality_id = $2 OR g.payer_id = $2)
              AND (g.valid_to IS NULL OR g.valid_to >= $3)
            ORDER BY g.valid_from, p.name, g.id""",
        citizen_id, authority_id, today,
    )


# --- deciding ------------------------------------------------------------------------------------

async def end_grant(conn: asyncpg.Connection, grant_id: int, last_day: dt.date) -> None:
    await conn.execute("UPDATE grant_ SET valid_to = $2 WHERE id = $1", grant_id, last_day)


async def insert_follow_on_grant(conn: asyncpg.Connection, old_grant_id: int, product_id: int,
                                 valid_from: dt.date, valid_to: dt.date | None) -> int:
    """The new product's grant: the old grant's citizen, quantity, period and payer, from ``valid_from``."""
    return await conn.fetchval(
        """INSERT INTO grant_ (citizen_id, product_id, quantity_per_period, period_days, valid_from, valid_to, payer_id)
           SELECT citizen_id, $2, quantity_per_period, period_days, $3, $4, payer_id FROM grant_ WHERE id = $1
           RETURNING id""",
        old_grant_id, product_id, valid_from, valid_to,
    )


async def move_allocations(conn: asyncpg.Connection, old_grant_id: int, new_grant_id: int, start: dt.date,
                           period_days: int) -> int:
    """Supply already ordered (in advance) on the old grant for periods from ``start`` on counts on the new
    grant, in its period containing that day, so the change gives no second supply for those periods."""
    status = await conn.execute(
        """WITH moved AS (DELETE FROM grant_allocation WHERE grant_id = $1 AND period_start >= $3
                          RETURNING order_id, period_start, pieces)
           INSERT INTO grant_allocation (order_id, grant_id, period_start, pieces)
           SELECT order_id, $2, $3::date + (((period_start - $3::date) / $4) * $4), sum(pieces)
             FROM moved GROUP BY order_id, 3""",
        old_grant_id, new_grant_id, start, period_days,
    )
    return int(status.rsplit(" ", 1)[-1])


async def approve(conn: asyncpg.Connection, request_id: int, staff_id: int, effective: dt.date, new_grant_id: int) -> None:
    await conn.execute(
        """UPDATE change_request SET status = 'approved', decided_at = now(), decided_by = $2, effective_from = $3,
                                     new_grant_id = $4
            WHERE id = $1 AND status = 'open'""",
        request_id, staff_id, effective, new_grant_id,
    )


async def reject(conn: asyncpg.Connection, request_id: int, staff_id: int, note: str) -> None:
    await conn.execute(
        """UPDATE change_request SET status = 'rejected', decided_at = now(), decided_by = $2, decision_note = $3
            WHERE id = $1 AND status = 'open'""",
        request_id, staff_id, note,
    )


async def has_push_device(conn: asyncpg.Connection, citizen_id: int) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM push_subscription WHERE citizen_id = $1)", citizen_id)
