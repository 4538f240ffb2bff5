"""One batch of grant commands, all or nothing: check every line, then write them in one
transaction, or write nothing and return the lines with their errors."""

from __future__ import annotations

import asyncpg

from backend.intake.apply import Actor, Outcome, apply_plan
from backend.intake.models import GrantOut, Line, ProductOut
from backend.intake.plan import Authority, Plan, load_authorities, make_plan

_LOCK_SPACE = 0x46534314  # advisory lock key space: one authority's intake at a time


async def run_batch(conn: asyncpg.Connection, issuer: Authority, lines: list[Line], *, cpr_key: str,
                    actor: Actor, write: bool = True) -> tuple[Plan, Outcome | None]:
    """Check and (when every line is good) write ``lines`` in one transaction. Returns the plan
    (``plan.bad_lines`` lists every refused line with its errors) and the outcome (None when refused).

    One authority's batches run one at a time (a transaction-scoped advisory lock), so the same
    reference sent twice at once is one grant, checked against what the first wrote.
    ``write=False``: check only (a file with unreadable rows is still checked line by line)."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", _LOCK_SPACE, issuer.id)
        plan = await make_plan(conn, issuer, lines, cpr_key)
        if plan.bad_lines or not write:
            return plan, None
        return plan, await apply_plan(conn, plan, actor)


async def authority_by_code(conn: asyncpg.Connection, code: int) -> Authority | None:
    return (await load_authorities(conn)).get(code)


async def authority_by_id(conn: asyncpg.Connection, authority_id: int) -> Authority | None:
    return next((a for a in (await load_authorities(conn)).values() if a.id == authority_id), None)


_GRANT_OUT = """
SELECT g.id, g.reference, issuer.code AS authority_code, payer.code AS payer_code, g.citizen_id,
       g.quantity_per_period, g.period_days, g.valid_from, g.valid_to,
       p.id AS product_id, p.name, m.name AS manufacturer, p.item_no, p.hmi_no, p.area_code
  FROM grant_ g
  JOIN authority issuer ON issuer.id = g.issuer_id
  JOIN authority payer ON payer.id = g.payer_id
  JOIN product p ON p.id = g.product_id
  JOIN manufacturer m ON m.id = p.manufacturer_id
 WHERE """


def _grant_out(row: asyncpg.Record) -> GrantOut:
    return GrantOut(
        id=row["id"], reference=row["reference"], authority_code=row["authority_code"],
        payer_code=row["payer_code"], citizen_id=row["citizen_id"],
        product=ProductOut(row["product_id"], row["name"], row["manufacturer"], row["item_no"], row["hmi_no"],
                           row["area_code"]),
        quantity_per_period=row["quantity_per_period"], period_days=row["period_days"],
        valid_from=row["valid_from"], valid_to=row["valid_to"])


async def grant_by_id(conn: asyncpg.Connection, grant_id: int) -> GrantOut | None:
    row = await conn.fetchrow(_GRANT_OUT + "g.id = $1", grant_id)
    return _grant_out(row) if row else None


async def grant_by_reference(conn: asyncpg.Connection, issuer_id: int, reference: str) -> GrantOut | None:
    row = await conn.fetchrow(_GRANT_OUT + "g.issuer_id = $1 AND g.reference = $2", issuer_id, reference)
    return _grant_out(row) if row else None
