"""Debian's PostgreSQL server (package ``postgresql``) as a managed server looks to the app: its own
cluster in a temporary directory (``initdb``/``pg_ctl``, no system service), reached over TCP on
127.0.0.1 with a password, the app's role an ordinary owner of its database (no superuser).

``scripts/test`` installs the package when the binaries are missing. As root (CI containers) the
server runs as the package's ``postgres`` user: PostgreSQL refuses to run as root."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

APP_ROLE = "fsc"


def server_bin_dir() -> Path:
    """The newest installed Debian server (``/usr/lib/postgresql/<major>/bin``)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise RuntimeError("Debian's PostgreSQL server is missing: run scripts/test (it installs the "
                           "'postgresql' package) or 'sudo apt-get install postgresql'")
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DebianPostgres:
    def __init__(self) -> None:
        self.bin = server_bin_dir()
        self.user = "postgres" if os.geteuid() == 0 else None
        # Short path: the unix socket (used only by pg_ctl's readiness check) is limited to ~107 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="fscd", dir="/tmp"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.admin_password = secrets.token_hex(16)
        self.app_password = secrets.token_hex(16)
        if self.user:
            shutil.chown(self.root, self.user, self.user)
        password_file = self.root / "pw"
        password_file.write_text(self.admin_password)
        if self.user:
            shutil.chown(password_file, self.user, self.user)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=scram-sha-256",
                  f"--pwfile={password_file}", "-E", "UTF8", "--locale=C.UTF-8")
        password_file.unlink()
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run([str(self.bin / tool), *args], user=self.user, capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c max_connections=200 -c fsync=off"
        self._run("pg_ctl", "-w", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-w", "-D", str(self.data), "-m", "fast", "stop")

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres:{self.admin_password}@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        """The URL the app gets in FSC_DATABASE_URL: its own role, password, TCP."""
        return f"postgresql://{APP_ROLE}:{self.app_password}@127.0.0.1:{self.port}/{database}"

    async def create_database(self, name: str) -> str:
        """An empty database owned by the app's (non-superuser) role; returns the app's URL to it."""
        admin = await asyncpg.connect(self.admin_url)
        try:
            if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", APP_ROLE):
                await admin.execute(f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{self.app_password}'")
            await admin.execute(f"CREATE DATABASE {name} OWNER {APP_ROLE}")
        finally:
            await admin.close()
        return self.url(name)


@contextmanager
def debian_postgres() -> Iterator[DebianPostgres]:
    server = DebianPostgres()
    try:
        yield server
    finally:
        server.close()
