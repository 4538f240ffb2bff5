"""Queries for the catalogue pages and the product pictures."""

from __future__ import annotations

import datetime as dt

import asyncpg


async def select_picture(conn: asyncpg.Connection, product_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT media_type, data, etag FROM product_picture WHERE product_id = $1", product_id)


async def select_area_counts(conn: asyncpg.Connection, today: dt.date) -> list[asyncpg.Record]:
    """Per product area: products, those in the range today, and those with a picture."""
    return await conn.fetch(
        """SELECT p.area_code, count(*) AS products,
                  count(*) FILTER (WHERE p.valid_to IS NULL OR p.valid_to >= $1) AS in_range,
                  count(p.picture_etag) AS pictures
             FROM product p JOIN product_area a ON a.code = p.area_code
            GROUP BY p.area_code, a.sort_order ORDER BY a.sort_order""", today)


async def select_leaving(conn: asyncpg.Connection, today: dt.date, limit: int = 100) -> list[asyncpg.Record]:
    """Products that have left the range or leave it within 90 days, with their successors."""
    return await conn.fetch(
        """SELECT p.id, p.item_no, p.name, p.valid_to, s.item_no AS successor_item_no, s.name AS successor_name
             FROM product p LEFT JOIN product s ON s.id = p.successor_id
            WHERE p.valid_to IS NOT NULL AND p.valid_to <= $1::date + 90
            ORDER BY p.valid_to, p.name LIMIT $2""", today, limit)
