"""Helpers for the grant intake tests: API keys made as the supervisor would, and grant bodies."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import asyncpg

from backend.intake import api_keys, examples

SUPERVISOR = "Peter Vang"


async def make_key(db: asyncpg.Connection, authority_code: int, label: str = "Case system") -> tuple[int, str]:
    """(key id, token) for the authority, made by the demo supervisor."""
    authority_id = await db.fetchval("SELECT id FROM authority WHERE code = $1", authority_code)
    staff_id = await db.fetchval("SELECT id FROM staff WHERE name = $1", SUPERVISOR)
    return await api_keys.create_key(db, authority_id, label, staff_id)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def grant_body(reference: str = "AAR-1", *, cpr: str = "0101901234", municipality: int = 751,
               valid_from: dt.date | None = None, **changes: Any) -> dict[str, Any]:
    """A municipal grant body for a new citizen of ``municipality`` (defaults: Aarhus)."""
    body = copy.deepcopy(examples.MUNICIPAL)
    body["reference"] = reference
    body["citizen"] |= {"cpr": cpr, "municipality_code": municipality, "city": "Aarhus C", "postcode": "8000"}
    body["valid_from"] = (valid_from or dt.date.today()).isoformat()
    for key, value in changes.items():
        if key in body["citizen"] or key in ("stoma_since",):
            body["citizen"][key] = value
        else:
            body[key] = value
    return body


async def counts(db: asyncpg.Connection) -> tuple[int, int, int]:
    """(grants, citizens, audit rows): a refused request changes none of them."""
    row = await db.fetchrow("SELECT (SELECT count(*) FROM grant_) g, (SELECT count(*) FROM citizen) c, "
                            "(SELECT count(*) FROM audit_log) a")
    return row["g"], row["c"], row["a"]
