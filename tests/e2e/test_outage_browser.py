"""In the browser: a tap while the database is away shows the translated 503 page (not nothing,
not the generic error), and the app works again by itself once the database is back."""

from __future__ import annotations

from backend.db.pool import connect
from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr
from tests.e2e.outage_stack import outage_stack
from tests.e2e.test_citizen_home import signed_in_phone
from tests.restartable_postgres import started_again, stopped_for_a_while


async def test_a_tap_during_the_outage_shows_the_503_page_and_the_app_recovers(browser, tmp_path):
    async with outage_stack(tmp_path, citizens=0) as (stack, _):
        conn = await connect(stack.db_url)
        name = await conn.fetchval("SELECT name FROM citizen WHERE id = $1",
                                   await citizen_id_by_cpr(conn, MAIN_DEMO_CPR))
        await conn.close()
        stack.start("web")
        context, page, errors = await signed_in_phone(browser, stack.web, name)
        home = page.url

        await stopped_for_a_while(stack.postgres)
        await page.get_by_role("link", name="Mine bestillinger").first.click()  # a boosted (htmx) link
        await page.get_by_role("heading", level=1, name="Der er et kort driftsstop").wait_for()
        await page.get_by_text("Prøv igen om et minut.").wait_for()
        assert page.url == home  # the address bar keeps a page that can be reloaded

        await started_again(stack.postgres)
        await page.get_by_role("link", name="Gå til forsiden").click()
        await page.get_by_role("heading", level=1, name="Mine produkter").wait_for()
        await page.get_by_role("link", name="Mine bestillinger").first.click()
        await page.get_by_role("heading", level=1, name="Mine bestillinger").wait_for()
        assert errors == []
        await context.close()
