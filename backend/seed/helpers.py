"""Demo helpers: Sofie Jensen (invented), Karen Jensen's daughter, helps her mother order.

She is a person without grants of her own (a helper-only account) with a power of attorney for
Karen given by invitation; the demo login page offers her, and the development OIDC provider
knows her (backend/auth/dev_provider.py). Called at the end of ``seed_demo`` in its transaction.
"""

from __future__ import annotations

import asyncpg

from backend.citizens.cpr import cpr_hash

HELPER_DEMO_CPR = "1408801236"      # Sofie Jensen (invented), Karen Jensen's daughter
HELPER_DEMO_NAME = "Sofie Jensen"
HELPER_DEMO_SCOPES = ("view", "order", "callbacks", "notifications")


async def seed_helpers(conn: asyncpg.Connection, cpr_key: str, helped_cpr: str) -> None:
    karen = await conn.fetchval("SELECT id FROM citizen WHERE cpr_hash = $1", cpr_hash(cpr_key, helped_cpr))
    if karen is None:
        return
    sofie = await conn.fetchval(
        """INSERT INTO person (cpr_hash, name, is_demo) VALUES ($1, $2, true)
           ON CONFLICT (cpr_hash) DO UPDATE SET is_demo = true RETURNING id""",
        cpr_hash(cpr_key, HELPER_DEMO_CPR), HELPER_DEMO_NAME)
    await conn.execute(
        """INSERT INTO power_of_attorney (citizen_id, person_id, scopes, source, created_at)
           VALUES ($1, $2, $3, 'invitation', now() - interval '30 days') ON CONFLICT DO NOTHING""",
        karen, sofie, list(HELPER_DEMO_SCOPES))


async def demo_helpers(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Demo helpers for the demo login page: id, name and whom they help (None: nobody yet)."""
    return await conn.fetch(
        """SELECT p.id, p.name, string_agg(c.name, ', ' ORDER BY c.name) AS helps
             FROM person p LEFT JOIN power_of_attorney pw ON pw.person_id = p.id AND pw.revoked_at IS NULL
                  LEFT JOIN citizen c ON c.id = pw.citizen_id
            WHERE p.is_demo GROUP BY p.id ORDER BY p.name, p.id""")
