"""Migrations runner: numbered plain SQL files, applied in order, each in its own transaction.

An advisory lock makes concurrent runners (several web processes starting at once) wait for
each other; applied versions are recorded in ``schema_migration``; a database that has a version
the code does not know is refused (the code is older than the database).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_LOCK_KEY = 0x46534301  # "FSC\x01"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(Exception):
    """The database and the code disagree about the schema."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def available_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"badly named migration file: {path.name} (want NNNN_name.sql)")
        found.append(Migration(int(match[1]), match[2], path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a version number")
    return found


async def applied_versions(conn: asyncpg.Connection) -> set[int]:
    exists = await conn.fetchval("SELECT to_regclass('schema_migration') IS NOT NULL")
    if not exists:
        return set()
    return {row["version"] for row in await conn.fetch("SELECT version FROM schema_migration")}


async def check_schema(conn: asyncpg.Connection, directory: Path = MIGRATIONS_DIR, *,
                       allow_ahead: bool = False) -> list[Migration]:
    """Return the pending migrations; raise when the database is ahead of the code, unless
    ``allow_ahead``: a web process of the previous release during a rolling deploy (migrations add
    before use and drop after, so the previous release works on the newer schema; it only logs)."""
    known = available_migrations(directory)
    applied = await applied_versions(conn)
    unknown = applied - {m.version for m in known}
    if unknown and allow_ahead:
        log.warning("the database has newer migration(s) %s: running as the previous release during a rollout",
                    sorted(unknown))
    elif unknown:
        raise MigrationError(
            f"the database has migration(s) {sorted(unknown)} that this code does not know; "
            "deploy the newer code (refusing to run against a newer schema)"
        )
    return [m for m in known if m.version not in applied]


async def migrate(conn: asyncpg.Connection, directory: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply pending migrations; return the versions applied now."""
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migration (
                   version integer PRIMARY KEY,
                   name text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        done = []
        for migration in await check_schema(conn, directory):
            sql = migration.path.read_text(encoding="utf-8")
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute(
                    "INSERT INTO schema_migration (version, name) VALUES ($1, $2)",
                    migration.version, migration.name,
                )
            log.info("applied migration %04d_%s", migration.version, migration.name)
            done.append(migration.version)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
