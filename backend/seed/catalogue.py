"""Demo catalogue additions (issue 16 §3, §7): the urology area with a few catheters and urine bags,
a citizen with both ostomy and urology grants, the range's validity with one product that has
left it (and its successor), the price history, and drawn product pictures (made by code: no
binary files in git). Invented like the rest of the demo data; called once from seed/demo.py."""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend.catalog.catalogue_import import save_pictures
from backend.catalog.pictures import demo_picture, small_version

STOMA_AND_UROLOGY_CPR = "1409471857"   # Ole Mikkelsen, Aarhus: urostomy bags and urology products
LEFT_RANGE = ("WL-3110", "423501")     # Vela Plasterfjerner left the range; Silka Plasterfjerner replaces it
NO_PICTURE_CATEGORIES = ("belt", "deodorant")  # a few keep the placeholder, as real imports will

# (manufacturer, item no., HMI no., category, pack size, unit, price in øre per pack, name)
UROLOGY_PRODUCTS = (
    ("Coloplast", "28412", "504612", "catheter_intermittent", 30, "piece", 42500,
     "SpeediCath Kateter, Nelaton, CH 12, 40 cm"),
    ("Coloplast", "28574", "504618", "catheter_intermittent", 30, "piece", 47500,
     "SpeediCath Compact Kateter, CH 12, kvinde"),
    ("Hollister", "HL-8014", "73420", "catheter_intermittent", 30, "piece", 44000,
     "VaPro Kateter, CH 14, 40 cm"),
    ("B. Braun", "BB-9112", "95410", "catheter_intermittent", 30, "piece", 39500,
     "Actreen Lite Kateter, CH 12"),
    ("Coloplast", "21150", "504630", "urine_leg_bag", 10, "piece", 21000,
     "Conveen Benpose, 500 ml, 50 cm slange"),
    ("Hollister", "HL-9320", "73436", "urine_night_bag", 10, "piece", 16500,
     "Natpose til urin, 2 liter, med tømmehane"),
    ("Coloplast", "22030", "504642", "urisheath", 30, "piece", 36000,
     "Conveen Optima Uridom, 30 mm"),
)
# Ole's urology grants: (item no., pieces per period, period days)
UROLOGY_GRANTS = (("28412", 150, 30), ("21150", 10, 30))


async def seed_catalogue_extras(conn: asyncpg.Connection, cpr_key: str, today: dt.date) -> None:
    from backend.citizens.cpr import cpr_hash

    tender_start = (today - dt.timedelta(days=800)).replace(day=1)
    await conn.execute("UPDATE product_area SET active = true WHERE code = 'urologi'")
    await conn.executemany(
        """INSERT INTO product (area_code, manufacturer_id, item_no, hmi_no, name, category, pack_size, unit, price_oere)
           SELECT 'urologi', m.id, $2, $3, $8, $4, $5, $6, $7 FROM manufacturer m WHERE m.name = $1""",
        UROLOGY_PRODUCTS)
    await conn.execute("UPDATE product SET valid_from = $1 WHERE valid_from IS NULL", tender_start)
    await conn.execute(
        """UPDATE product p SET valid_to = $3, successor_id = (SELECT id FROM product WHERE item_no = $2)
            WHERE p.item_no = $1""", LEFT_RANGE[0], LEFT_RANGE[1], today - dt.timedelta(days=10))
    await conn.execute("""INSERT INTO product_price (product_id, valid_from, price_oere)
                          SELECT id, valid_from, price_oere FROM product ON CONFLICT DO NOTHING""")
    citizen = await conn.fetchrow("SELECT id, municipality_id FROM citizen WHERE cpr_hash = $1",
                                  cpr_hash(cpr_key, STOMA_AND_UROLOGY_CPR))
    await conn.executemany(
        """INSERT INTO grant_ (citizen_id, product_id, quantity_per_period, period_days, valid_from, payer_id)
           SELECT $1, id, $3, $4, $5, $6 FROM product WHERE item_no = $2""",
        [(citizen["id"], item, pieces, days, today - dt.timedelta(days=200), citizen["municipality_id"])
         for item, pieces, days in UROLOGY_GRANTS])
    products = await conn.fetch(
        "SELECT id, category FROM product WHERE category <> ALL($1::text[]) ORDER BY id", list(NO_PICTURE_CATEGORIES))
    await save_pictures(conn, [(p["id"], small_version(demo_picture(p["category"], p["id"]))) for p in products])
