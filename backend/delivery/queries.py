"""Delivery preference and temporary address queries."""

from __future__ import annotations

import datetime as dt

import asyncpg


async def select_preference(conn: asyncpg.Connection, citizen_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT method, pickup_point_id, leave_at_door_allowed, driver_note FROM delivery_preference WHERE citizen_id = $1",
        citizen_id,
    )


async def upsert_preference(conn: asyncpg.Connection, citizen_id: int, method: str, pickup_point_id: int | None,
                            leave_at_door_allowed: bool, driver_note: str) -> None:
    await conn.execute(
        """INSERT INTO delivery_preference (citizen_id, method, pickup_point_id, leave_at_door_allowed, driver_note)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (citizen_id) DO UPDATE
              SET method = EXCLUDED.method, pickup_point_id = EXCLUDED.pickup_point_id,
                  leave_at_door_allowed = EXCLUDED.leave_at_door_allowed, driver_note = EXCLUDED.driver_note,
                  updated_at = now()""",
        citizen_id, method, pickup_point_id, leave_at_door_allowed, driver_note,
    )


async def select_temporary_addresses(conn: asyncpg.Connection, citizen_id: int, today: dt.date) -> list[asyncpg.Record]:
    """Current and future temporary addresses."""
    return await conn.fetch(
        """SELECT id, street, postcode, city, valid_from, valid_to FROM temporary_address
            WHERE citizen_id = $1 AND valid_to >= $2 ORDER BY valid_from, id""",
        citizen_id, today,
    )


async def insert_temporary_address(conn: asyncpg.Connection, citizen_id: int, street: str, postcode: str, city: str,
                                   valid_from: dt.date, valid_to: dt.date) -> int:
    return await conn.fetchval(
        """INSERT INTO temporary_address (citizen_id, street, postcode, city, valid_from, valid_to)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
        citizen_id, street, postcode, city, valid_from, valid_to,
    )


async def delete_temporary_address(conn: asyncpg.Connection, citizen_id: int, address_id: int) -> bool:
    status = await conn.execute("DELETE FROM temporary_address WHERE id = $1 AND citizen_id = $2", address_id, citizen_id)
    return status != "DELETE 0"
