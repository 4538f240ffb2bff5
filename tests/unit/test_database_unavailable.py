"""What counts as "the database is away" (503, reconnect) and what stays a query's own error."""

import logging

import asyncpg

from backend.db.pool import OneLineWhileDatabaseAway, database_unavailable


def test_connection_level_failures_count_as_the_database_being_away():
    for exc in (FileNotFoundError(2, "No such file or directory"), ConnectionRefusedError(), TimeoutError(),
                asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
                asyncpg.CannotConnectNowError("the database system is starting up"),
                asyncpg.AdminShutdownError("terminating connection due to administrator command"),
                asyncpg.InterfaceError("cannot perform operation: connection is closed")):
        assert database_unavailable(exc), exc
    wrapped = RuntimeError("handler failed")
    wrapped.__cause__ = ConnectionResetError()
    assert database_unavailable(wrapped)


def test_a_querys_own_errors_do_not():
    for exc in (asyncpg.UniqueViolationError("duplicate key"), asyncpg.UndefinedTableError("no such table"),
                asyncpg.DataError("invalid input for query argument $1: 99999999999 (value out of int32 range)"),
                asyncpg.InterfaceError("cannot call Connection.fetch(): connection has been released back to the pool"),
                ValueError("bad"), None):
        assert not database_unavailable(exc), exc


def test_library_tracebacks_are_one_line_only_when_the_database_is_away():
    def record(exc: BaseException) -> logging.LogRecord:
        return logging.LogRecord("asyncpg.pool", logging.WARNING, __file__, 1, "reconnect %s", ("failed",),
                                 (type(exc), exc, None))

    away = record(FileNotFoundError(2, "No such file or directory"))
    assert OneLineWhileDatabaseAway().filter(away)
    assert away.exc_info is None and away.getMessage() == "reconnect failed (FileNotFoundError: [Errno 2] No such file or directory)"
    bug = record(KeyError("x"))
    assert OneLineWhileDatabaseAway().filter(bug) and bug.exc_info is not None


def test_an_error_raised_while_handling_a_connection_failure_counts_too():
    """The CI run of 2026-11-29 answered one reorder with 500 during a database restart: the
    connection failed mid-request and cleaning up after it (a rollback or the pool's release of
    that connection) raised again. The second error's implicit context is the connection failure."""
    try:
        try:
            raise asyncpg.InternalClientError("cannot switch to state 15; another operation (2) is in progress")
        except asyncpg.InternalClientError:
            raise asyncpg.InterfaceError("cannot perform operation: another operation is in progress")
    except asyncpg.InterfaceError as exc:
        assert database_unavailable(exc)
    group = ExceptionGroup("dependencies", [ValueError("other"), ConnectionResetError()])
    assert database_unavailable(group)
    try:
        try:
            raise ValueError("a query's own error")
        except ValueError:
            raise asyncpg.InterfaceError("cannot perform operation: another operation is in progress")
    except asyncpg.InterfaceError as exc:
        assert not database_unavailable(exc)
