"""The rate-limit counters in PostgreSQL: one statement per check, one for housekeeping."""

from __future__ import annotations

import asyncpg

# Every key of one check in one round trip. A key's window starts with its first hit and, once
# over, the next hit starts a new one. Keys are taken in a fixed (sorted) order so that two
# requests that share keys lock their rows in the same order and cannot deadlock. The count
# stops growing at the column's limit instead of overflowing.
_HIT = """
INSERT INTO rate_limit AS r (key, window_start, window_s, hits)
SELECT k.key, now(), k.window_s, 1
  FROM unnest($1::text[], $2::integer[]) AS k(key, window_s)
 ORDER BY k.key
ON CONFLICT (key) DO UPDATE SET
    window_start = CASE WHEN r.window_start > now() - make_interval(secs => EXCLUDED.window_s)
                        THEN r.window_start ELSE now() END,
    hits = CASE WHEN r.window_start > now() - make_interval(secs => EXCLUDED.window_s)
                THEN least(r.hits, 2147483646) + 1 ELSE 1 END,
    window_s = EXCLUDED.window_s
RETURNING key, hits,
          extract(epoch FROM window_start + make_interval(secs => window_s) - now())::float8 AS seconds_left
"""


async def hit(conn: asyncpg.Connection, keys: list[str], windows_s: list[int]) -> list[asyncpg.Record]:
    """Count one hit on each key (distinct keys); per key: hits in its window and seconds left."""
    return await conn.fetch(_HIT, keys, windows_s)


async def delete_ended_windows(conn: asyncpg.Connection) -> int:
    status = await conn.execute("DELETE FROM rate_limit WHERE window_start < now() - make_interval(secs => window_s)")
    return int(status.split()[-1])
