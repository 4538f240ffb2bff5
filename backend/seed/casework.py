"""Demo caseworkers (one per demo authority below) and a few product-change requests, so the
caseworker queue is not empty: one overdue and one fresh in Aarhus, one in Odense.

Invented people. Called from ``seed_demo`` inside its transaction, after the citizens, grants and staff.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend.casework.rules import due_on
from backend.citizens.cpr import cpr_hash

# (name, e-mail, authority code): Aarhus and Odense municipalities, Region Midtjylland (pays discharge grants)
DEMO_CASEWORKERS = (
    ("Sofie Bach", "sofie.bach@aarhus.example", 751),
    ("Lars Krogh", "lars.krogh@odense.example", 461),
    ("Mads Lund", "mads.lund@rm.example", 1082),
)

# (citizen CPR, days ago, reason, note): a request for another product of the same kind as the
# citizen's first granted product (by name)
DEMO_REQUESTS = (
    ("1409471857", 10, "leaks", "Posen løsner sig om natten."),   # Ole Mikkelsen, Aarhus: overdue
    ("2211683046", 0, "fit", ""),                                # Sarah Whitfield, Aarhus: asked today
    ("1312571046", 1, "nurse_advice", "Sygeplejersken anbefalede en konveks plade."),  # Hanne Nielsen, Odense
)


async def seed_casework(conn: asyncpg.Connection, cpr_key: str, today: dt.date) -> None:
    for name, email, code in DEMO_CASEWORKERS:
        await conn.execute(
            """INSERT INTO staff (name, email, role, is_demo, authority_id)
               SELECT $1, $2, 'caseworker', true, id FROM authority WHERE code = $3""", name, email, code)
    for cpr, days_ago, reason, note in DEMO_REQUESTS:
        grant = await conn.fetchrow(
            """SELECT g.id, g.citizen_id, g.product_id, g.payer_id, p.area_code, p.category,
                      a.change_request_working_days AS target_days
                 FROM grant_ g JOIN citizen c ON c.id = g.citizen_id JOIN product p ON p.id = g.product_id
                 JOIN authority a ON a.id = g.payer_id
                WHERE c.cpr_hash = $1 ORDER BY p.name, g.id LIMIT 1""", cpr_hash(cpr_key, cpr))
        if grant is None:
            raise LookupError(f"demo change request for an unknown demo citizen {cpr}")
        wanted = await conn.fetchval(
            """SELECT id FROM product WHERE active AND area_code = $1 AND id <> $2
                ORDER BY category = $3 DESC, id LIMIT 1""", grant["area_code"], grant["product_id"], grant["category"])
        asked = today - dt.timedelta(days=days_ago)
        await conn.execute(
            """INSERT INTO change_request (citizen_id, grant_id, current_product_id, wanted_product_id, payer_id,
                                           reason, note, created_by_kind, created_by_id, created_at, due_on)
               VALUES ($1, $2, $3, $4, $5, $6, $7, 'citizen', $1,
                       least(now(), $8::date + time '09:30'), $9)""",
            grant["citizen_id"], grant["id"], grant["product_id"], wanted, grant["payer_id"], reason, note, asked,
            due_on(asked, grant["target_days"]))
