"""Per-authority API keys: made by an FSC supervisor, shown once, kept only as a hash, revocable.

A token is 32 random bytes (url-safe base64) after a fixed prefix; with that much randomness a
plain SHA-256 is a safe way to keep it (no slow hash needed), and the lookup is by that hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import asyncpg
from litestar.connection import ASGIConnection

from backend.audit import log_event
from backend.intake.plan import Authority
from backend.intake.problems import ApiProblem

TOKEN_PREFIX = "fbk_"
SHOWN_PREFIX = 12  # characters of the token shown on the staff page to tell keys apart


@dataclass(frozen=True)
class ApiClient:
    """The caller of an API request: the key and its authority."""

    key_id: int
    authority: Authority


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()


async def create_key(conn: asyncpg.Connection, authority_id: int, label: str, staff_id: int) -> tuple[int, str]:
    """A new key for the authority: (key id, the token, to be shown once and never again)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with conn.transaction():
        key_id = await conn.fetchval(
            """INSERT INTO api_key (authority_id, label, prefix, token_hash, created_by)
               VALUES ($1, $2, $3, $4, $5) RETURNING id""",
            authority_id, label, token[:SHOWN_PREFIX], token_digest(token), staff_id)
        await log_event(conn, actor_kind="staff", actor_id=staff_id, citizen_id=None, action="api_key_created",
                        detail={"api_key_id": key_id, "authority_id": authority_id})
    return key_id, token


async def revoke_key(conn: asyncpg.Connection, key_id: int, staff_id: int) -> bool:
    """Revoke a key at once; False when it is unknown or already revoked."""
    async with conn.transaction():
        revoked = await conn.fetchval(
            "UPDATE api_key SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id",
            key_id, staff_id)
        if revoked is not None:
            await log_event(conn, actor_kind="staff", actor_id=staff_id, citizen_id=None, action="api_key_revoked",
                            detail={"api_key_id": key_id})
    return revoked is not None


async def select_keys(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT k.id, k.label, k.prefix, k.created_at, k.last_used_at, k.revoked_at, a.name AS authority,
                  a.code AS authority_code, s.name AS created_by
             FROM api_key k JOIN authority a ON a.id = k.authority_id LEFT JOIN staff s ON s.id = k.created_by
            ORDER BY k.revoked_at IS NOT NULL, a.name, k.id""")


# The key, if good, and its last use noted at most once a minute (not a write per request).
_AUTHENTICATE = """
WITH found AS (
    SELECT k.id, k.revoked_at, a.id AS authority_id, a.code, a.name, a.kind, a.region_id, k.last_used_at
      FROM api_key k JOIN authority a ON a.id = k.authority_id
     WHERE k.token_hash = $1
), touched AS (
    UPDATE api_key k SET last_used_at = now()
      FROM found f
     WHERE k.id = f.id AND f.revoked_at IS NULL
       AND (f.last_used_at IS NULL OR f.last_used_at < now() - interval '1 minute')
)
SELECT * FROM found"""


def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(401, "unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="grants"'})


async def authenticate(connection: ASGIConnection) -> ApiClient:
    """The request's key (``Authorization: Bearer <token>``); an ApiProblem 401 when it is missing,
    unknown or revoked."""
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise _unauthorized("An API key is needed: Authorization: Bearer <key>.")
    async with connection.app.state.pool.acquire() as conn:
        row = await conn.fetchrow(_AUTHENTICATE, token_digest(token))
    if row is None:
        raise _unauthorized("The API key is not known.")
    if row["revoked_at"] is not None:
        raise _unauthorized("The API key has been revoked.")
    return ApiClient(row["id"], Authority(row["authority_id"], row["code"], row["name"], row["kind"], row["region_id"]))
