"""Demo data looks like the real thing and respects the grant rules."""

from backend.seed.demo import seed_demo
from tests.conftest import TEST_CPR_KEY


async def test_demo_data_shape(db):
    assert await db.fetchval("SELECT count(*) FROM product WHERE area_code = 'stomi'") >= 40
    assert await db.fetchval("SELECT count(DISTINCT manufacturer_id) FROM product") >= 4
    assert await db.fetchval("SELECT count(*) FROM citizen WHERE is_demo") >= 20
    assert await db.fetchval("SELECT count(DISTINCT municipality_id) FROM citizen") >= 5
    assert await db.fetchval("SELECT count(*) FROM authority WHERE kind = 'municipality'") == 41
    assert await db.fetchval("SELECT count(*) FROM authority WHERE kind = 'region'") == 2
    participating = await db.fetch(
        "SELECT r.code, count(*) FROM authority m JOIN authority r ON r.id = m.region_id "
        "WHERE m.participates GROUP BY r.code ORDER BY r.code")
    assert [(r["code"], r["count"]) for r in participating] == [(1082, 17), (1083, 14)]
    norddjurs = await db.fetchval("SELECT go_live FROM authority WHERE code = 707")
    assert norddjurs.isoformat() == "2024-04-01"


async def test_seeding_twice_writes_nothing(db):
    before = await db.fetchval("SELECT count(*) FROM citizen")
    assert await seed_demo(db, TEST_CPR_KEY) is False
    assert await db.fetchval("SELECT count(*) FROM citizen") == before
