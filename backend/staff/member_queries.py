"""Staff accounts as a supervisor manages them: the list, deactivate and reactivate."""

from __future__ import annotations

import asyncpg


async def select_staff_members(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Every staff member with how many live sessions they have (active first, then by name)."""
    return await conn.fetch(
        """SELECT st.id, st.name, st.email, st.role, st.active,
                  (SELECT count(*) FROM staff_session s
                    WHERE s.staff_id = st.id AND s.expires_at > now() AND s.idle_expires_at > now()) AS sessions
             FROM staff st
            ORDER BY st.active DESC, st.name, st.id"""
    )


async def set_staff_active(conn: asyncpg.Connection, staff_id: int, active: bool) -> bool:
    """Deactivate or reactivate ``staff_id``; False when unknown or already so."""
    status = await conn.execute("UPDATE staff SET active = $2 WHERE id = $1 AND active <> $2", staff_id, active)
    return status == "UPDATE 1"


async def delete_staff_sessions(conn: asyncpg.Connection, staff_id: int) -> int:
    """End every session of ``staff_id`` at once; returns how many there were."""
    status = await conn.execute("DELETE FROM staff_session WHERE staff_id = $1", staff_id)
    return int(status.rsplit(" ", 1)[-1])
