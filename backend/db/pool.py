"""asyncpg pool creation with our type codecs (jsonb <-> Python objects via msgspec), and what
counts as "the database is away" for the web (503) and the worker (reconnect)."""

from __future__ import annotations

import logging

import asyncpg
import msgspec

from backend.jobs import wake_workers

CONNECT_TIMEOUT_S = 5.0
"""A server that does not answer (a host that is down drops packets) fails a request after this
long instead of asyncpg's default minute."""

# Connection-level failures: nothing wrong with the query, the server is not there (socket gone,
# connection refused or reset), our session with it ended (closed under us, admin or crash
# shutdown), or it is starting up or shutting down. InternalClientError ("cannot switch to state
# …; another operation is in progress") is what asyncpg raises on a connection whose server ended
# the session while it was idle, when the next query comes before the socket's close is read:
# that connection is unusable and a retry on a new one is the cure.
_UNAVAILABLE = (OSError, asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError,
                asyncpg.AdminShutdownError, asyncpg.CrashShutdownError, asyncpg.InternalClientError)


def database_unavailable(exc: BaseException | None) -> bool:
    """True when ``exc``, or an exception it was raised from or while handling, means the database
    cannot be reached right now. A query's own error (bad SQL, a constraint, input out of range) is not.

    The implicit context counts as well as the cause: when a connection fails mid-request, cleaning
    up after it (the transaction's rollback, the pool's release of that connection) can fail again
    with an error that names only the clean-up; a group (a task group's failures) counts when any
    of its members does."""
    pending: list[BaseException | None] = [exc]
    seen: set[int] = set()
    while pending and len(seen) < 20:
        exc = pending.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        if isinstance(exc, _UNAVAILABLE):
            return True
        # "cannot perform operation: connection is closed", "pool is closed"; asyncpg's other
        # InterfaceErrors are programming errors or bad input (its DataError) and stay 500/422.
        if isinstance(exc, asyncpg.InterfaceError) and "closed" in str(exc):
            return True
        if isinstance(exc, BaseExceptionGroup):
            pending.extend(exc.exceptions)
        pending.extend((exc.__cause__, exc.__context__))
    return False


def short_reason(exc: BaseException) -> str:
    """One line for the log: the exception's class and message, no traceback."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class OneLineWhileDatabaseAway(logging.Filter):
    """A library's log record whose exception only says "the database is away" is kept to one
    line: asyncpg's pool logs a traceback for every failed background reconnect, pgqueuer one for
    every job outcome it could not record. Other tracebacks stay whole."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and database_unavailable(record.exc_info[1]):
            record.msg = f"{record.getMessage()} ({short_reason(record.exc_info[1])})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


logging.getLogger("asyncpg.pool").addFilter(OneLineWhileDatabaseAway())


async def _init_connection(conn: asyncpg.Connection) -> None:
    # jsonb binary format is a version byte (1) followed by the JSON text.
    await conn.set_type_codec(
        "jsonb",
        encoder=lambda value: b"\x01" + msgspec.json.encode(value),
        decoder=lambda data: msgspec.json.decode(data[1:]),
        schema="pg_catalog",
        format="binary",
    )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Release without the reset round trip: pooled connections never change session state (no SET,
    LISTEN or session advisory locks; those use dedicated connections). asyncpg still rolls back a
    transaction left open. A connection that queued jobs wakes the workers now, its transaction
    being over (backend/jobs.py)."""
    try:
        await wake_workers(conn)
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:  # the worker's poll finds them
        logging.getLogger(__name__).warning("could not wake the workers (%s)", short_reason(exc))


def discard_if_broken(conn: asyncpg.Connection, exc: BaseException) -> None:
    """After a connection-level failure, close the connection for good so that the pool opens a new
    one instead of handing this one out again (a connection whose server went away is not always
    marked closed by the time it is released)."""
    if database_unavailable(exc) and not conn.is_closed():
        conn.terminate()


async def create_pool(dsn: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, init=_init_connection,
                                     reset=_keep_session, timeout=CONNECT_TIMEOUT_S)


async def connect(dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_S)
    await _init_connection(conn)
    return conn
