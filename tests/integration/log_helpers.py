"""Helpers for the citizen's log tests: a helper (person) and audit rows as other features write them."""

from __future__ import annotations

import re

import asyncpg

from backend.audit import log_event
from backend.citizens.cpr import cpr_hash
from tests.conftest import TEST_CPR_KEY


async def make_helper(db: asyncpg.Connection, name: str, cpr: str = "1508741234") -> int:
    """A MitID person who helps a citizen (migration 0007); h14-power links them by power of attorney."""
    return await db.fetchval("INSERT INTO person (cpr_hash, name) VALUES ($1, $2) RETURNING id",
                             cpr_hash(TEST_CPR_KEY, cpr), name)


async def helper_did(db: asyncpg.Connection, person_id: int, citizen_id: int, action: str, **detail) -> None:
    await log_event(db, actor_kind="relative", actor_id=person_id, citizen_id=citizen_id, action=action,
                    detail=detail)


async def staff_did(db: asyncpg.Connection, staff_id: int, citizen_id: int, action: str, **detail) -> None:
    await log_event(db, actor_kind="staff", actor_id=staff_id, citizen_id=citizen_id, action=action, detail=detail)


def entries(page: str) -> list[dict[str, str]]:
    """The log's entries as shown: id, what, who, reason (when shown), in page order."""
    found = []
    for block in re.findall(r'<li class="access-entry" id="entry-(\d+)">(.*?)</li>', page, re.S):
        entry_id, body = block
        reason = re.search(r'data-testid="log-reason">Hvorfor: (.*?)</p>', body)
        found.append({
            "id": entry_id,
            "what": re.search(r"<strong>(.*?)</strong>", body).group(1),
            "line": " ".join(re.sub(r"<[^>]+>", " ", body).split()),
            "who": re.search(r'data-testid="log-who">(.*?)</p>', body).group(1),
            "reason": reason.group(1) if reason else None,
        })
    return found
