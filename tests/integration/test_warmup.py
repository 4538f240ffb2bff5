"""A warmed connection's first order asks PostgreSQL nothing but the order's own statements
(backend/web/warmup.py): no type lookups, which cost three round trips on a cold connection."""

from __future__ import annotations

import uuid

from backend.db.pool import create_pool
from backend.orders.models import Actor, PlaceOrder
from backend.orders.service import place_order
from backend.seed.demo import MAIN_DEMO_CPR
from backend.web.deps import local_today
from backend.web.warmup import warm_up
from tests.conftest import citizen_id_by_cpr


async def test_a_warmed_connections_first_order_runs_only_its_own_statements(db, db_url: str) -> None:
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    pool = await create_pool(db_url, min_size=1, max_size=1)
    try:
        await warm_up(pool, 1)
        async with pool.acquire() as conn:
            statements: list[str] = []
            conn.add_query_logger(lambda record: statements.append(record.query))
            placed = await place_order(conn, PlaceOrder(citizen_id=citizen, key=uuid.uuid4(),
                                                        actor=Actor("citizen", citizen)), local_today())
    finally:
        await pool.close()
    assert placed.order_id and not placed.replayed
    assert not [s for s in statements if "typeinfo" in s or "set_config('jit'" in s], statements
    # BEGIN, the citizen with the grants locked, the grants under the locks, the order, COMMIT;
    # then, back in the pool, the workers' wake-up (backend/jobs.py).
    assert len(statements) == 6 and "table_changed_event" in statements[-1], statements
