"""A database restart under load: `fsc serve`, `fsc worker` and `fsc warehouse-sim` as real
processes, a stream of one-tap orders (idempotency keys, client retries), PostgreSQL stopped for a
few seconds in the middle and started again. Counted afterwards: every order the clients saw
accepted exists once and went through the warehouse once, none was lost; the outage was answered
with 503 (never 500); web and worker are the same processes as before and still working."""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
import uuid
from dataclasses import dataclass, field

import httpx

from backend.db.pool import connect
from backend.web.csrf import csrf_secret, session_token
from tests.conftest import TEST_SECRET
from tests.e2e.outage_stack import OutageStack, outage_stack, wait_until
from tests.restartable_postgres import started_again, stopped_for_a_while

ORDERS = 100
PER_SECOND = 10
OUTAGE_STARTS_S = 2.5
OUTAGE_S = 6
HAPPY = ["received", "picking", "packed", "handed_to_carrier", "out_for_delivery", "delivered"]
RECONNECT_LINE = re.compile(r"database unavailable .*; reconnecting in \d+ s \(attempt \d+\)")


def csrf_for(citizen_no: int) -> str:
    """The CSRF token of the citizen's session (tokens are bound to the session)."""
    return session_token(csrf_secret(TEST_SECRET), hashlib.sha256(b"bench-session-%08d" % citizen_no).digest())


@dataclass
class Tap:
    """One citizen's one-tap order as the client saw it."""

    citizen_no: int
    key: str = field(default_factory=lambda: str(uuid.uuid4()))
    answers: list[int | str] = field(default_factory=list)
    order_id: int | None = None
    repeat_order_id: int | None = None
    repeat_answers: list[int | str] = field(default_factory=list)


async def post_reorder(http: httpx.AsyncClient, web: str, tap: Tap) -> httpx.Response:
    return await http.post(
        web + "/orders/reorder", data={"idempotency_key": tap.key, "_csrf_token": csrf_for(tap.citizen_no)},
        headers={"Cookie": f"fsc_session=bench-session-{tap.citizen_no:08d}"},
        follow_redirects=False)


async def answered(http: httpx.AsyncClient, web: str, tap: Tap, deadline: float,
                   answers: list) -> httpx.Response | None:
    """Send the tap until an answer below 500 comes (a 5xx or no answer: again, with the same key,
    as the app's outbox does); every answer is noted in ``answers``. None when the deadline passed."""
    while time.monotonic() < deadline:
        try:
            response = await post_reorder(http, web, tap)
        except httpx.TransportError as exc:
            answers.append(type(exc).__name__)
            await asyncio.sleep(0.3)
            continue
        answers.append(response.status_code)
        if response.status_code < 500:
            return response
        await asyncio.sleep(0.3)
    return None


async def tap_until_answered(http: httpx.AsyncClient, web: str, tap: Tap, deadline: float) -> None:
    """Send the order until it is accepted or refused. Every fourth client sends it once more after
    the acceptance (an answer lost on the way back): that must be the same order. The repeat is a
    client like any other: it may meet the outage too (a loaded machine's late schedule makes it
    likely), and then sends again with the same key."""
    response = await answered(http, web, tap, deadline, tap.answers)
    if response is None or response.status_code != 303:
        return  # refused (counted by the test) or never answered
    tap.order_id = int(response.headers["location"].rsplit("/", 1)[1])
    if tap.citizen_no % 4 == 0:
        again = await answered(http, web, tap, deadline, tap.repeat_answers)
        if again is not None:
            tap.repeat_order_id = int(again.headers["location"].rsplit("/", 1)[1]) if again.status_code == 303 else -1


async def watch_health(http: httpx.AsyncClient, web: str, seen: dict[str, list[int]], done: asyncio.Event) -> None:
    while not done.is_set():
        for path in ("/healthz", "/readyz"):
            try:
                seen[path].append((await http.get(web + path, timeout=3)).status_code)
            except httpx.TransportError:
                seen[path].append(0)
        await asyncio.sleep(0.25)


async def run_load_with_an_outage(stack: OutageStack) -> tuple[list[Tap], dict[str, list[int]]]:
    taps = [Tap(citizen_no) for citizen_no in range(1, ORDERS + 1)]
    health: dict[str, list[int]] = {"/healthz": [], "/readyz": []}
    done = asyncio.Event()
    deadline = time.monotonic() + 90
    async with httpx.AsyncClient(timeout=10) as http:

        async def scheduled(tap: Tap) -> None:
            await asyncio.sleep((tap.citizen_no - 1) / PER_SECOND)
            await tap_until_answered(http, stack.web, tap, deadline)

        async def outage() -> None:
            await asyncio.sleep(OUTAGE_STARTS_S)
            await stopped_for_a_while(stack.postgres)
            await asyncio.sleep(OUTAGE_S)  # the scenario: the database is away this long
            await started_again(stack.postgres)

        watcher = asyncio.create_task(watch_health(http, stack.web, health, done))
        await asyncio.gather(outage(), *(scheduled(tap) for tap in taps))
        done.set()
        await watcher
    return taps, health


async def test_orders_under_load_survive_a_database_restart(tmp_path):
    async with outage_stack(tmp_path, citizens=ORDERS) as (stack, citizens):
        stack.start("sim")
        worker = stack.start("worker")
        web = stack.start("web")
        started = time.time()

        taps, health = await run_load_with_an_outage(stack)

        answers = [answer for tap in taps for answer in tap.answers]
        accepted = {tap.key: tap.order_id for tap in taps if tap.order_id is not None}
        assert len(accepted) == ORDERS, [tap.answers for tap in taps if tap.order_id is None][:5]
        assert 503 in answers, sorted(set(map(str, answers)))
        assert 500 not in answers, stack.log("web")[-6000:]  # the traceback says which error was not taken for "away"
        assert not [a for a in answers if isinstance(a, str)], "the web server stopped answering"
        assert all(tap.repeat_order_id == tap.order_id for tap in taps if tap.citizen_no % 4 == 0), [
            (tap.order_id, tap.repeat_order_id, tap.repeat_answers) for tap in taps
            if tap.citizen_no % 4 == 0 and tap.repeat_order_id != tap.order_id][:5]
        assert 503 in health["/readyz"] and health["/readyz"][-1] == 200
        assert set(health["/healthz"]) == {200}, "liveness must not fail while the database is away"

        conn = await connect(stack.db_url)
        try:
            rows = await conn.fetch("SELECT id, idempotency_key::text AS key FROM order_ WHERE citizen_id = ANY($1) "
                                    "AND placed_at >= to_timestamp($2)", citizens, started - 1)
            assert {row["key"]: row["id"] for row in rows} == accepted  # each accepted order once, nothing else

            async def all_delivered() -> bool:
                return await conn.fetchval("SELECT count(*) FROM order_ WHERE id = ANY($1) AND status = 'delivered'",
                                           list(accepted.values())) == ORDERS

            await wait_until(all_delivered, 60, "every accepted order delivered")
            lifecycles = await conn.fetch(
                "SELECT order_id, array_agg(type ORDER BY type) AS types FROM warehouse_event "
                "WHERE order_id = ANY($1) GROUP BY order_id", list(accepted.values()))
            assert len(lifecycles) == ORDERS  # each step of each order once: no second lifecycle
            assert all(row["types"] == sorted(HAPPY) for row in lifecycles), lifecycles[:3]
        finally:
            await conn.close()
        counters = stack.sim_counters()
        assert counters["orders"] == ORDERS  # the warehouse got each order, and no other
        assert counters["events_rejected"] == 0 and counters["events_pending"] == 0

        assert stack.processes["web"] is web and stack.alive("web")
        assert stack.processes["worker"] is worker and stack.alive("worker")
        assert RECONNECT_LINE.search(stack.log("worker"))
        for name in ("web", "worker"):
            assert "Traceback" not in stack.log(name), stack.log(name)[-3000:]
