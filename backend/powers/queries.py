"""Power of attorney and invitation queries (explicit SQL, one function per query)."""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend.auth.queries import LIVE_POWER

_OPEN_INVITATION = "i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()"


async def select_powers_of_citizen(conn: asyncpg.Connection, citizen_id: int) -> list[asyncpg.Record]:
    """The citizen's live helpers: name, scopes, source, end, last activity (for "Mine hjælpere" and FSC)."""
    return await conn.fetch(
        f"""SELECT pw.id, p.name, pw.scopes, pw.source, pw.document_ref, pw.valid_to, pw.created_at,
                   pw.last_used_at, st.name AS registered_by_name
              FROM power_of_attorney pw JOIN person p ON p.id = pw.person_id
                   LEFT JOIN staff st ON st.id = pw.registered_by
             WHERE pw.citizen_id = $1 AND {LIVE_POWER}
             ORDER BY p.name, pw.id""", citizen_id)


async def select_powers_of_person(conn: asyncpg.Connection, person_id: int) -> list[asyncpg.Record]:
    """Whom the person may act for (the chooser)."""
    return await conn.fetch(
        f"""SELECT pw.id, pw.citizen_id, c.name, pw.scopes, pw.valid_to
              FROM power_of_attorney pw JOIN citizen c ON c.id = pw.citizen_id
             WHERE pw.person_id = $1 AND {LIVE_POWER}
             ORDER BY c.name, pw.id""", person_id)


async def select_live_power_of_person(conn: asyncpg.Connection, power_id: int, person_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"""SELECT pw.id, pw.citizen_id, c.name FROM power_of_attorney pw JOIN citizen c ON c.id = pw.citizen_id
             WHERE pw.id = $1 AND pw.person_id = $2 AND {LIVE_POWER}""", power_id, person_id)


async def set_acting_for(conn: asyncpg.Connection, session_hash: bytes, power_id: int | None) -> None:
    await conn.execute("UPDATE session SET acting_for_power_id = $2 WHERE token_hash = $1", session_hash, power_id)


async def insert_power(conn: asyncpg.Connection, citizen_id: int, person_id: int, scopes: tuple[str, ...],
                       source: str, *, document_ref: str = "", registered_by: int | None = None,
                       valid_to: dt.datetime | None = None) -> int:
    """A new live power; a live one of the same helper for the same citizen is revoked first (replaced)."""
    await conn.execute(
        "UPDATE power_of_attorney SET revoked_at = now() WHERE citizen_id = $1 AND person_id = $2 AND revoked_at IS NULL",
        citizen_id, person_id)
    return await conn.fetchval(
        """INSERT INTO power_of_attorney (citizen_id, person_id, scopes, source, document_ref, registered_by, valid_to)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""",
        citizen_id, person_id, list(scopes), source, document_ref, registered_by, valid_to)


async def update_power_scopes(conn: asyncpg.Connection, citizen_id: int, power_id: int,
                              scopes: tuple[str, ...]) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"""UPDATE power_of_attorney pw SET scopes = $3 WHERE id = $2 AND citizen_id = $1 AND {LIVE_POWER}
            RETURNING id, person_id""", citizen_id, power_id, list(scopes))


async def revoke_power(conn: asyncpg.Connection, citizen_id: int, power_id: int) -> asyncpg.Record | None:
    """Revoke at once: the helper's next request (also in an open session) is refused."""
    return await conn.fetchrow(
        f"""UPDATE power_of_attorney pw SET revoked_at = now() WHERE id = $2 AND citizen_id = $1 AND {LIVE_POWER}
            RETURNING id, person_id""", citizen_id, power_id)


async def select_open_invitations(conn: asyncpg.Connection, citizen_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""SELECT i.id, i.helper_name, i.scopes, i.expires_at FROM power_invitation i
             WHERE i.citizen_id = $1 AND {_OPEN_INVITATION} ORDER BY i.created_at, i.id""", citizen_id)


async def lock_citizen(conn: asyncpg.Connection, citizen_id: int) -> None:
    """Serialise one citizen's invitations (two at once must not both pass the "one open" check)."""
    await conn.execute("SELECT 1 FROM citizen WHERE id = $1 FOR NO KEY UPDATE", citizen_id)


async def open_invitation_exists(conn: asyncpg.Connection, citizen_id: int, helper_name: str) -> bool:
    return await conn.fetchval(
        f"""SELECT EXISTS (SELECT 1 FROM power_invitation i WHERE i.citizen_id = $1
                              AND lower(i.helper_name) = lower($2) AND {_OPEN_INVITATION})""",
        citizen_id, helper_name)


async def insert_invitation(conn: asyncpg.Connection, citizen_id: int, helper_name: str, scopes: tuple[str, ...],
                            token_hash: bytes, code_hash: bytes, valid: dt.timedelta) -> int:
    return await conn.fetchval(
        """INSERT INTO power_invitation (citizen_id, helper_name, scopes, token_hash, code_hash, expires_at)
           VALUES ($1, $2, $3, $4, $5, now() + $6) RETURNING id""",
        citizen_id, helper_name, list(scopes), token_hash, code_hash, valid)


async def withdraw_invitation(conn: asyncpg.Connection, citizen_id: int, invitation_id: int) -> bool:
    return bool(await conn.fetchval(
        f"""UPDATE power_invitation i SET revoked_at = now() WHERE id = $2 AND citizen_id = $1 AND {_OPEN_INVITATION}
            RETURNING true""", citizen_id, invitation_id))


async def select_invitation(conn: asyncpg.Connection, *, token_hash: bytes | None = None,
                            code_hash: bytes | None = None, for_update: bool = False) -> asyncpg.Record | None:
    """An invitation by its link token or its code, open or not (the caller says why it cannot be used)."""
    lock = " FOR UPDATE OF i" if for_update else ""
    return await conn.fetchrow(
        f"""SELECT i.id, i.citizen_id, c.name AS citizen_name, c.cpr_hash AS citizen_cpr_hash, i.helper_name,
                   i.scopes, i.expires_at, i.accepted_at, i.revoked_at, i.expires_at <= now() AS expired
              FROM power_invitation i JOIN citizen c ON c.id = i.citizen_id
             WHERE i.token_hash = $1 OR i.code_hash = $2{lock}""", token_hash, code_hash)


async def mark_invitation_accepted(conn: asyncpg.Connection, invitation_id: int, power_id: int) -> None:
    await conn.execute("UPDATE power_invitation SET accepted_at = now(), accepted_power_id = $2 WHERE id = $1",
                       invitation_id, power_id)


async def select_person_cpr_hash(conn: asyncpg.Connection, person_id: int) -> bytes | None:
    return await conn.fetchval("SELECT cpr_hash FROM person WHERE id = $1", person_id)


async def upsert_helper_person(conn: asyncpg.Connection, cpr_hash: bytes, name: str) -> int:
    """The helper named on a paper power (found again at their first MitID login by the same CPR hash);
    an existing person keeps the name their login gave."""
    return await conn.fetchval(
        """INSERT INTO person (cpr_hash, name) VALUES ($1, $2)
           ON CONFLICT (cpr_hash) DO UPDATE SET name = person.name RETURNING id""", cpr_hash, name)


async def select_citizen_name(conn: asyncpg.Connection, citizen_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT id, name, cpr_hash FROM citizen WHERE id = $1", citizen_id)
