"""Demo data: participating authorities, a stoma catalogue, demo citizens, grants and past orders.

Everything here is INVENTED for demonstration: product names, item numbers, HMI numbers, prices,
people, CPR numbers, addresses and phone numbers. Only the manufacturers are real company names
in the stoma market. All dates are computed relative to ``today`` so the demo always looks current.

``seed_demo`` writes nothing when the database already has citizens; otherwise it writes all of
the data in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import asyncpg

from backend.authorities.reference import load_reference_authorities, set_participation
from backend.calendar_dk import add_working_days
from backend.citizens.cpr import birth_year, cpr_hash
from backend.orders.queries import ALLOCATE_BY_ORDER_DATE
from backend.parcels.queries import PARCELS_FOR_ORDERS
from backend.seed.catalogue import seed_catalogue_extras
from backend.seed.casework import seed_casework
from backend.seed.reports import seed_report_history
from backend.seed.helpers import seed_helpers
from backend.seed.intake import seed_intake
from backend.seed.staff import seed_staff

TZ = ZoneInfo("Europe/Copenhagen")
ORDER_HOUR = 10                 # demo orders are placed at 10:00 local time
_LOCK_KEY = 0x46534302          # advisory lock: two processes seeding at once wait for each other

# ---------------------------------------------------------------------------------------------
# Participation: (municipality code, go-live as days relative to today, or a fixed date).
# Past dates are moved back to the first of their month, future ones to the nearest first.
# Municipalities not listed keep participates = false.
# ---------------------------------------------------------------------------------------------
PARTICIPATION: tuple[tuple[int, int | dt.date], ...] = (
    # Region Midtjylland (1082): 17
    (751, -730),                # Aarhus, among the first
    (707, dt.date(2024, 4, 1)), # Norddjurs, date stated in the council case
    (730, -690), (740, -660), (615, -610), (746, -580), (710, -545), (657, -515), (791, -480),
    (661, -450), (706, -420), (727, -400), (766, -365), (756, -330), (760, -270), (671, -200),
    (779, +100),                # Skive: participates, but is not live yet
    # Region Syddanmark (1083): 14
    (461, -730),                # Odense, among the first
    (621, -700), (630, -670), (410, -640), (479, -600), (607, -560), (561, -530), (540, -500),
    (450, -470), (510, -440), (420, -390), (430, -330), (440, -240), (480, -150),
)

MANUFACTURERS = ("Coloplast", "ConvaTec", "Hollister", "Dansac", "B. Braun", "Salts Healthcare", "Welland")


class DemoProduct(NamedTuple):
    key: str                    # only used inside this module to refer to the product
    manufacturer: str
    item_no: str
    hmi_no: str
    category: str
    pack_size: int
    unit: str
    price_oere: int             # contract price per pack
    name: str


P = DemoProduct
PRODUCTS: tuple[DemoProduct, ...] = (
    # Coloplast
    P("cp_cl_midi", "Coloplast", "17321", "504217", "one_piece_closed", 30, "piece", 89500,
      "Comfort Flex Lukket Pose, Midi, 15–55 mm"),
    P("cp_cl_maxi", "Coloplast", "17331", "504218", "one_piece_closed", 30, "piece", 94500,
      "Comfort Flex Lukket Pose, Maxi, 15–55 mm"),
    P("cp_dr_maxi", "Coloplast", "17452", "504233", "one_piece_drainable", 20, "piece", 84000,
      "Comfort Flex Tømbar Pose, Maxi, 10–70 mm"),
    P("cp_uro", "Coloplast", "17614", "504251", "one_piece_urostomy", 10, "piece", 52500,
      "Comfort Flex Urostomipose, Maxi, 15–43 mm"),
    P("cp_bp_50", "Coloplast", "17850", "504270", "two_piece_base_plate", 5, "piece", 39500,
      "Comfort Flex Basisplade, konveks light, Ø 50 mm"),
    P("cp_bp_60", "Coloplast", "17860", "504271", "two_piece_base_plate", 10, "piece", 72000,
      "Comfort Flex Basisplade, flad, Ø 60 mm"),
    P("cp_cb_50", "Coloplast", "17950", "504288", "two_piece_closed_bag", 30, "piece", 62000,
      "Comfort Flex Lukket Pose til basisplade, Midi, Ø 50 mm"),
    P("cp_db_60", "Coloplast", "17966", "504292", "two_piece_drainable_bag", 20, "piece", 66500,
      "Comfort Flex Tømbar Pose til basisplade, Maxi, Ø 60 mm"),
    P("cp_ring", "Coloplast", "12048", "504305", "seal_ring", 10, "piece", 21500,
      "Protect Tætningsring, Ø 48 mm, 4,2 mm"),
    P("cp_paste", "Coloplast", "12660", "504311", "paste", 1, "tube", 9800,
      "Protect Stomipasta, 60 g"),
    P("cp_remover", "Coloplast", "12021", "504320", "adhesive_remover", 1, "spray", 11900,
      "Easy Release Plasterfjerner, spray 50 ml"),
    P("cp_film", "Coloplast", "12130", "504328", "barrier_film", 30, "sachet", 17500,
      "Protect Barrierefilm, servietter"),
    P("cp_night", "Coloplast", "21520", "504340", "night_drainage_bag", 10, "piece", 28500,
      "Comfort Natpose, 2 liter, med tømmehane"),
    # ConvaTec
    P("cv_cl_mini", "ConvaTec", "421604", "61873", "one_piece_closed", 30, "piece", 78000,
      "Silka Lukket Pose, Mini, 13–45 mm"),
    P("cv_cl_midi", "ConvaTec", "421612", "61874", "one_piece_closed", 30, "piece", 86500,
      "Silka Lukket Pose, Midi, 13–64 mm"),
    P("cv_dr_midi", "ConvaTec", "421705", "61881", "one_piece_drainable", 20, "piece", 82000,
      "Silka Tømbar Pose, Midi, 13–64 mm"),
    P("cv_uro", "ConvaTec", "421810", "61890", "one_piece_urostomy", 10, "piece", 49500,
      "Silka Urostomipose, Standard, 13–45 mm"),
    P("cv_bp_45", "ConvaTec", "422045", "61902", "two_piece_base_plate", 10, "piece", 76500,
      "Silka Basisplade, formbar, Ø 45 mm"),
    P("cv_cb_45", "ConvaTec", "422145", "61911", "two_piece_closed_bag", 30, "piece", 59500,
      "Silka Lukket Pose til basisplade, Maxi, Ø 45 mm"),
    P("cv_db_45", "ConvaTec", "422245", "61912", "two_piece_drainable_bag", 20, "piece", 61000,
      "Silka Tømbar Pose til basisplade, Midi, Ø 45 mm"),
    P("cv_ub_45", "ConvaTec", "422345", "61915", "two_piece_urostomy_bag", 10, "piece", 44000,
      "Silka Urostomipose til basisplade, Ø 45 mm"),
    P("cv_ring", "ConvaTec", "423038", "61920", "seal_ring", 30, "piece", 58500,
      "Silka Formbar Tætningsring, Ø 38 mm"),
    P("cv_remover", "ConvaTec", "423501", "61934", "adhesive_remover", 30, "sachet", 14500,
      "Silka Plasterfjerner, servietter"),
    P("cv_deo", "ConvaTec", "423710", "61941", "deodorant", 1, "bottle", 7900,
      "Silka Lugtneutraliserende Dråber, 50 ml"),
    P("cv_night", "ConvaTec", "424015", "61950", "night_drainage_bag", 10, "piece", 24500,
      "Silka Natpose, 1,5 liter"),
    # Hollister
    P("ho_cl_midi", "Hollister", "HL-3140", "73021", "one_piece_closed", 30, "piece", 91000,
      "Vista Lukket Pose, Midi, beige, 19–64 mm"),
    P("ho_dr_maxi", "Hollister", "HL-3275", "73034", "one_piece_drainable", 10, "piece", 43500,
      "Vista Tømbar Pose, Maxi, klar, 19–76 mm"),
    P("ho_uro", "Hollister", "HL-3390", "73047", "one_piece_urostomy", 10, "piece", 56500,
      "Vista Urostomipose, konveks, 19–38 mm"),
    P("ho_bp_57", "Hollister", "HL-4457", "73055", "two_piece_base_plate", 5, "piece", 36500,
      "Vista Basisplade, flad, Ø 57 mm"),
    P("ho_cb_57", "Hollister", "HL-4557", "73062", "two_piece_closed_bag", 30, "piece", 61500,
      "Vista Lukket Pose til basisplade, Midi, Ø 57 mm"),
    P("ho_ub_57", "Hollister", "HL-4657", "73068", "two_piece_urostomy_bag", 10, "piece", 45500,
      "Vista Urostomipose til basisplade, Ø 57 mm"),
    P("ho_ring", "Hollister", "HL-7748", "73080", "seal_ring", 10, "piece", 23500,
      "Vista Tætningsring, konveks, Ø 48 mm"),
    P("ho_paste", "Hollister", "HL-7905", "73091", "paste", 1, "tube", 10500,
      "Vista Stomipasta, 57 g"),
    P("ho_belt", "Hollister", "HL-7300", "73104", "belt", 1, "piece", 8900,
      "Vista Stomibælte, justerbart, str. M"),
    P("ho_film", "Hollister", "HL-7731", "73112", "barrier_film", 1, "spray", 13900,
      "Vista Barrierefilm, spray 28 ml"),
    # Dansac
    P("da_cl_midi", "Dansac", "DS-10230", "88410", "one_piece_closed", 30, "piece", 87000,
      "Nordic Lukket Pose, Midi, 10–55 mm"),
    P("da_dr_midi", "Dansac", "DS-10470", "88423", "one_piece_drainable", 20, "piece", 79500,
      "Nordic Tømbar Pose, Midi, 10–70 mm"),
    P("da_uro", "Dansac", "DS-10645", "88437", "one_piece_urostomy", 10, "piece", 51000,
      "Nordic Urostomipose, Maxi, 10–45 mm"),
    P("da_bp_50", "Dansac", "DS-20150", "88450", "two_piece_base_plate", 5, "piece", 41500,
      "Nordic Basisplade, konveks, Ø 50 mm"),
    P("da_db_50", "Dansac", "DS-20450", "88462", "two_piece_drainable_bag", 20, "piece", 63500,
      "Nordic Tømbar Pose til basisplade, Maxi, Ø 50 mm"),
    P("da_belt", "Dansac", "DS-90800", "88479", "belt", 1, "piece", 9400,
      "Nordic Stomibælte, str. L"),
    # B. Braun
    P("bb_cl_midi", "B. Braun", "BB-3101", "95112", "one_piece_closed", 30, "piece", 76500,
      "Linea Lukket Pose, Midi, 15–60 mm"),
    P("bb_uro", "B. Braun", "BB-3305", "95127", "one_piece_urostomy", 10, "piece", 47000,
      "Linea Urostomipose, Midi, 15–45 mm"),
    P("bb_bp_55", "B. Braun", "BB-4155", "95133", "two_piece_base_plate", 10, "piece", 68500,
      "Linea Basisplade, flad, Ø 55 mm"),
    P("bb_cb_55", "B. Braun", "BB-4255", "95140", "two_piece_closed_bag", 30, "piece", 57000,
      "Linea Lukket Pose til basisplade, Mini, Ø 55 mm"),
    P("bb_ub_55", "B. Braun", "BB-4455", "95146", "two_piece_urostomy_bag", 10, "piece", 43000,
      "Linea Urostomipose til basisplade, Ø 55 mm"),
    P("bb_night", "B. Braun", "BB-6020", "95158", "night_drainage_bag", 10, "piece", 26000,
      "Linea Natpose, 2 liter"),
    # Salts Healthcare
    P("sa_cl_maxi", "Salts Healthcare", "SA-5230", "110274", "one_piece_closed", 30, "piece", 92500,
      "Gentle Lukket Pose, Maxi, 13–70 mm"),
    P("sa_dr_midi", "Salts Healthcare", "SA-5420", "110281", "one_piece_drainable", 20, "piece", 83500,
      "Gentle Tømbar Pose, Midi, 13–70 mm"),
    P("sa_ring", "Salts Healthcare", "SA-6030", "110295", "seal_ring", 30, "piece", 54000,
      "Gentle Tætningsring, Ø 30 mm"),
    P("sa_remover", "Salts Healthcare", "SA-7050", "110306", "adhesive_remover", 1, "spray", 12500,
      "Gentle Plasterfjerner, spray 50 ml"),
    P("sa_deo", "Salts Healthcare", "SA-7250", "110312", "deodorant", 1, "spray", 8500,
      "Gentle Posedeodorant, spray 50 ml"),
    # Welland
    P("we_cl_midi", "Welland", "WL-1205", "120418", "one_piece_closed", 30, "piece", 74500,
      "Vela Lukket Pose, Midi, 13–55 mm"),
    P("we_paste", "Welland", "WL-3042", "120433", "paste", 1, "tube", 8900,
      "Vela Stomipasta, 42 g"),
    P("we_remover", "Welland", "WL-3110", "120441", "adhesive_remover", 30, "sachet", 13500,
      "Vela Plasterfjerner, servietter"),
    P("we_film", "Welland", "WL-3210", "120456", "barrier_film", 30, "sachet", 16500,
      "Vela Barrierefilm, servietter"),
    P("we_deo", "Welland", "WL-3330", "120462", "deodorant", 30, "sachet", 9500,
      "Vela Posedeodorant, breve"),
)
del P

# A grant: (product key, pieces per period, period days[, packs usually ordered per order]).
# Without the fourth element the citizen orders the whole allowance once per period.
GrantSpec = tuple[Any, ...]


class DemoCitizen(NamedTuple):
    cpr: str                    # invented; stored only as cpr_hash
    name: str
    street: str
    postcode: str
    city: str
    municipality: int           # authority code
    phone: str
    stoma_days: int             # stoma_since = today - stoma_days
    granted_days: int           # the grants' valid_from = today - granted_days
    grants: tuple[GrantSpec, ...]
    order_day: int = 3          # orders are placed this many days into each 30-day grant period
    orders: int = 4             # how many of the most recent periods have an order
    language: str = "da"
    until_days: int | None = None      # the grants' valid_to = today + until_days (None: open-ended)
    cancelled_days: int | None = None  # an extra order placed this many days ago, then cancelled


MAIN_DEMO_CPR = "0703521234"        # Karen Jensen, Aarhus: several grants, one partly and one fully used
NEW_STOMA_CPR = "3009651508"        # Mette Laursen, Skanderborg: new stoma, grants paid by the region
EXPIRING_GRANT_CPR = "0304451617"   # Poul Andersen, Horsens: one grant ends in 12 days
NOT_LIVE_CPR = "3112481573"         # Flemming Knudsen, Skive: municipality not live yet

# C(cpr, name, street, postcode, city, municipality code, phone, stoma_days, granted_days, grants, ...)
C = DemoCitizen
DEMO_CITIZENS: list[DemoCitizen] = [
    # Region Midtjylland
    C(MAIN_DEMO_CPR, "Karen Jensen", "Skovvangsvej 41, 1. th.", "8200", "Aarhus N", 751, "+45 28 14 63 07",
      2950, 740, (("cp_bp_50", 15, 30), ("cp_cb_50", 90, 30, 2), ("cp_paste", 2, 90), ("cp_remover", 2, 90)),
      order_day=16, orders=5),
    C("1409471857", "Ole Mikkelsen", "Holme Byvej 12", "8270", "Højbjerg", 751, "+45 40 57 21 98",
      1900, 1025, (("cp_uro", 30, 30), ("cp_night", 10, 30), ("cp_remover", 1, 30)), order_day=3),
    C("2211683046", "Sarah Whitfield", "Frederiksgade 22, 3. tv.", "8000", "Aarhus C", 751, "+45 31 62 48 15",
      1300, 410, (("cp_dr_maxi", 40, 30), ("cp_ring", 20, 30), ("cp_film", 30, 30)), order_day=5, language="en"),
    C("1802561348", "Lone Pedersen", "Hobrovej 88", "8920", "Randers NV", 730, "+45 86 41 27 53",
      3400, 860, (("cv_cl_midi", 90, 30), ("cv_deo", 1, 30), ("cv_remover", 30, 30)), order_day=2, until_days=730),
    C("2906491175", "Erik Sørensen", "Vestergade 54, st.", "8600", "Silkeborg", 740, "+45 23 88 10 46",
      2200, 575, (("bb_bp_55", 10, 30), ("bb_ub_55", 30, 30), ("bb_night", 10, 30)), order_day=8),
    C("1107581426", "Birthe Madsen", "Bethaniagade 9", "7400", "Herning", 657, "+45 97 12 35 80",
      980, 650, (("sa_dr_midi", 40, 30), ("sa_ring", 30, 30), ("sa_deo", 1, 30)), order_day=14, orders=3),
    C(EXPIRING_GRANT_CPR, "Poul Andersen", "Sundvej 31", "8700", "Horsens", 615, "+45 51 70 93 24",
      1450, 353, (("ho_cl_midi", 90, 30), ("ho_film", 1, 30), ("ho_belt", 1, 90)), order_day=4),
    C("2512501962", "Inge Kristensen", "Sct. Mathias Gade 18, 2.", "8800", "Viborg", 791, "+45 86 62 19 07",
      4100, 1090, (("da_uro", 30, 30), ("cp_night", 10, 30), ("da_belt", 1, 90)), order_day=6, orders=5,
      until_days=500),
    C("1608431239", "Jørgen Rasmussen", "Storegade 15", "8500", "Grenaa", 707, "+45 20 34 56 71",
      2600, 512, (("ho_bp_57", 15, 30), ("ho_cb_57", 60, 30), ("ho_paste", 2, 90), ("we_remover", 30, 30)),
      order_day=1),
    C(NEW_STOMA_CPR, "Mette Laursen", "Adelgade 40, 1. tv.", "8660", "Skanderborg", 746, "+45 42 19 84 36",
      40, 38, (("cp_dr_maxi", 40, 30), ("cp_ring", 20, 30), ("cp_paste", 1, 30), ("cp_remover", 1, 30)),
      order_day=2, orders=2, until_days=140),
    C("0901541720", "Kirsten Poulsen", "Nørregade 61", "7500", "Holstebro", 661, "+45 97 42 60 18",
      1700, 263, (("we_cl_midi", 60, 30), ("we_deo", 30, 30), ("we_film", 30, 30)), order_day=3, orders=3),
    C("2104481391", "Niels Thomsen", "Østergade 4", "8450", "Hammel", 710, "+45 61 27 45 02",
      3000, 720, (("cv_bp_45", 10, 30), ("cv_ub_45", 30, 30), ("cv_night", 10, 30)), order_day=4,
      until_days=900),
    # Region Syddanmark
    C("1312571046", "Hanne Nielsen", "Munkerisvej 118", "5230", "Odense M", 461, "+45 66 13 72 49",
      2300, 940, (("cv_bp_45", 10, 30), ("cv_db_45", 40, 30), ("cv_ring", 30, 30), ("cv_deo", 1, 30)),
      order_day=14, cancelled_days=3),
    C("0806421193", "Bent Hansen", "Middelfartvej 205", "5200", "Odense V", 461, "+45 29 80 14 65",
      5200, 1051, (("cp_cl_maxi", 90, 30), ("cp_remover", 1, 30), ("ho_belt", 1, 90)), order_day=5),
    C("1910701875", "David Clarke", "Kongensgade 36, 2. th.", "5000", "Odense C", 461, "+45 53 46 91 20",
      800, 215, (("ho_dr_maxi", 30, 30), ("ho_ring", 20, 30), ("ho_paste", 1, 30)), order_day=2, language="en"),
    C("2707631264", "Susanne Larsen", "Haderslevvej 27", "6000", "Kolding", 621, "+45 75 52 38 61",
      1500, 470, (("cp_bp_50", 15, 30), ("cp_cb_50", 60, 30), ("cp_film", 30, 30)), order_day=7),
    C("0502551437", "Henrik Johansen", "Dæmningen 19", "7100", "Vejle", 630, "+45 26 71 05 39",
      3600, 1005, (("da_bp_50", 15, 30), ("da_db_50", 40, 30), ("sa_ring", 30, 30)), order_day=10, orders=5,
      until_days=730),
    C("1711391628", "Grethe Møller", "Kongensgade 88", "6700", "Esbjerg", 561, "+45 75 12 64 93",
      6000, 985, (("ho_bp_57", 15, 30), ("ho_ub_57", 30, 30), ("cp_night", 10, 30)), order_day=3, orders=3),
    C("2403461551", "Preben Olsen", "Møllergade 12", "5700", "Svendborg", 479, "+45 62 21 87 40",
      2750, 620, (("bb_cl_midi", 90, 30), ("sa_remover", 1, 30), ("we_deo", 30, 30)), order_day=19),
    C("0610601382", "Annette Schmidt", "Perlegade 45", "6400", "Sønderborg", 540, "+45 74 42 16 85",
      1200, 380, (("da_dr_midi", 40, 30), ("cp_ring", 20, 30), ("da_belt", 1, 90)), order_day=25, orders=3),
    C("1505531719", "Torben Frederiksen", "Danmarksgade 23", "7000", "Fredericia", 607, "+45 30 95 47 12",
      2100, 545, (("sa_cl_maxi", 90, 30), ("sa_deo", 1, 30), ("we_paste", 1, 30)), order_day=2),
    C("2808441466", "Lis Jakobsen", "Algade 30", "5500", "Middelfart", 410, "+45 64 41 20 57",
      4500, 800, (("bb_uro", 30, 30), ("bb_night", 10, 30)), order_day=6, orders=2, until_days=600),
    C("1201501237", "Kurt Jørgensen", "Nørregade 9", "5800", "Nyborg", 450, "+45 65 31 78 26",
      3300, 710, (("bb_bp_55", 10, 30), ("bb_cb_55", 60, 30), ("we_paste", 2, 90), ("we_remover", 30, 30)),
      order_day=1),
    C("0409671810", "Vibeke Holm", "Gravene 14", "6100", "Haderslev", 510, "+45 41 86 52 03",
      900, 190, (("cv_dr_midi", 40, 30), ("cv_ring", 30, 30)), order_day=1, orders=3),
    # Skive participates but is not live: grants, no orders
    C(NOT_LIVE_CPR, "Flemming Knudsen", "Frederiksgade 8", "7800", "Skive", 779, "+45 97 52 13 68",
      1600, 400, (("cv_cl_mini", 60, 30), ("cv_deo", 1, 30), ("cv_remover", 30, 30)), orders=0),
]
del C

EXPIRING_GRANT_DAYS = 12        # the first grant of EXPIRING_GRANT_CPR ends today + 12 days


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _go_live(value: int | dt.date, today: dt.date) -> dt.date:
    """A fixed date as is; a day offset moved to a first of the month (earlier if past, nearest if future)."""
    if isinstance(value, dt.date):
        return value
    day = today + dt.timedelta(days=value)
    if value > 0:
        day += dt.timedelta(days=15)    # nearest first of the month, still well ahead of today
    return day.replace(day=1)


def _at_ten(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(ORDER_HOUR), tzinfo=TZ)


def _status(age_days: int) -> str:
    """Recent orders are still on their way; older ones have been delivered."""
    return "placed" if age_days <= 2 else "handed_to_carrier" if age_days <= 6 else "delivered"


async def _insert(
    conn: asyncpg.Connection, table: str, columns: dict[str, str], rows: list[tuple], returning: str = ""
) -> list[asyncpg.Record]:
    """Insert many rows in one statement: one array per column, unnested (names are constants)."""
    if not rows:
        return []
    arrays = ", ".join(f"${i}::{sql_type}[]" for i, sql_type in enumerate(columns.values(), 1))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays})"
    if returning:
        sql += f" RETURNING {returning}"
    return await conn.fetch(sql, *(list(column) for column in zip(*rows)))


class _Grant(NamedTuple):
    id: int
    product_id: int
    pack_size: int
    quantity: int               # pieces per period
    period_days: int
    valid_from: dt.date
    valid_to: dt.date | None
    usual_packs: int            # packs the citizen usually orders at once


def _order_days(citizen: DemoCitizen, valid_from: dt.date, today: dt.date, go_live: dt.date | None) -> list[dt.date]:
    """One order `order_day` days into each of the most recent 30-day periods, before today and after go-live."""
    days: list[dt.date] = []
    period = (today - valid_from).days // 30
    while period >= 0 and len(days) < citizen.orders:
        day = valid_from + dt.timedelta(days=30 * period + citizen.order_day)
        if day < today and go_live is not None and day >= go_live:
            days.append(day)
        period -= 1
    return sorted(days)


def _lines(
    grants: list[_Grant], day: dt.date, used: dict[tuple[int, int], int], *, counts: bool = True
) -> list[tuple[int, int, int, int]]:
    """Order lines (grant_id, product_id, packs, pieces) for an order placed on `day`.

    Never more than is left of the grant's period; with `counts` the pieces are added to `used`
    (a cancelled order does not count).
    """
    lines = []
    for grant in grants:
        if day < grant.valid_from or (grant.valid_to is not None and day > grant.valid_to):
            continue
        period = (day - grant.valid_from).days // grant.period_days
        packs = min(grant.usual_packs, (grant.quantity - used[grant.id, period]) // grant.pack_size)
        if packs > 0:
            lines.append((grant.id, grant.product_id, packs, packs * grant.pack_size))
            if counts:
                used[grant.id, period] += packs * grant.pack_size
    return lines


def _plan_orders(
    citizen: DemoCitizen, grants: list[_Grant], today: dt.date, go_live: dt.date | None
) -> list[tuple[str, dt.date, list[tuple[int, int, int, int]]]]:
    """The citizen's past orders as (status, day, lines)."""
    used: dict[tuple[int, int], int] = defaultdict(int)
    orders = []
    for day in _order_days(citizen, today - dt.timedelta(days=citizen.granted_days), today, go_live):
        if lines := _lines(grants, day, used):
            orders.append((_status((today - day).days), day, lines))
    if citizen.cancelled_days is not None:
        day = today - dt.timedelta(days=citizen.cancelled_days)
        if lines := _lines(grants, day, used, counts=False):
            orders.append(("cancelled", day, lines))
    return orders


# ---------------------------------------------------------------------------------------------
# Seeding steps
# ---------------------------------------------------------------------------------------------
async def _seed_participation(conn: asyncpg.Connection, today: dt.date) -> None:
    for code, go_live in PARTICIPATION:
        if not await set_participation(conn, code, participates=True, go_live=_go_live(go_live, today)):
            raise LookupError(f"unknown municipality code {code} in the demo participation list")


async def _seed_contacts(conn: asyncpg.Connection) -> None:
    """Made-up contacts for grant questions (example.dk-style addresses under .example, reserved for
    examples; phone numbers 70 00 plus the municipality code)."""
    rows = await conn.fetch("SELECT id, code, name FROM authority WHERE kind = 'municipality' AND participates")
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", " ": "-"})
    await conn.executemany(
        """UPDATE authority SET contact_name = $2, contact_phone = $3, contact_email = $4, contact_url = $5,
                  contact_updated_at = now() WHERE id = $1""",
        [(r["id"], f"{r['name']} Kommune, Hjælpemidler", f"70 00 {r['code'] // 100:02d} {r['code'] % 100:02d}",
          f"hjaelpemidler@{r['name'].lower().translate(table)}.example",
          f"https://www.{r['name'].lower().translate(table)}.example/hjaelpemidler") for r in rows])


async def _seed_catalogue(conn: asyncpg.Connection) -> dict[str, tuple[int, int]]:
    """Insert manufacturers and products; return product key -> (product id, pack size)."""
    await conn.executemany(
        "INSERT INTO manufacturer (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", [(m,) for m in MANUFACTURERS]
    )
    manufacturer_ids = {r["name"]: r["id"] for r in await conn.fetch("SELECT id, name FROM manufacturer")}
    rows = [
        ("stomi", manufacturer_ids[p.manufacturer], p.item_no, p.hmi_no, p.name, p.category, p.pack_size, p.unit,
         p.price_oere)
        for p in PRODUCTS
    ]
    columns = {"area_code": "text", "manufacturer_id": "integer", "item_no": "text", "hmi_no": "text",
               "name": "text", "category": "text", "pack_size": "integer", "unit": "text", "price_oere": "bigint"}
    inserted = await _insert(conn, "product", columns, rows, returning="id, manufacturer_id, item_no")
    ids = {(r["manufacturer_id"], r["item_no"]): r["id"] for r in inserted}
    return {p.key: (ids[manufacturer_ids[p.manufacturer], p.item_no], p.pack_size) for p in PRODUCTS}


async def _seed_citizens(
    conn: asyncpg.Connection, cpr_key: str, today: dt.date, authorities: dict[int, asyncpg.Record]
) -> dict[str, int]:
    """Insert the demo citizens; return CPR -> citizen id."""
    hashes = {c.cpr: cpr_hash(cpr_key, c.cpr) for c in DEMO_CITIZENS}
    rows = [
        (hashes[c.cpr], c.name, c.street, c.postcode, c.city, authorities[c.municipality]["id"], c.phone,
         c.language, today - dt.timedelta(days=c.stoma_days), True, birth_year(c.cpr))
        for c in DEMO_CITIZENS
    ]
    columns = {"cpr_hash": "bytea", "name": "text", "street": "text", "postcode": "text", "city": "text",
               "municipality_id": "integer", "phone": "text", "language": "text", "stoma_since": "date",
               "is_demo": "boolean", "birth_year": "smallint"}
    inserted = await _insert(conn, "citizen", columns, rows, returning="id, cpr_hash")
    by_hash = {bytes(r["cpr_hash"]): r["id"] for r in inserted}
    return {cpr: by_hash[h] for cpr, h in hashes.items()}


def _grant_rows(
    citizen: DemoCitizen, citizen_id: int, today: dt.date, products: dict[str, tuple[int, int]],
    authorities: dict[int, asyncpg.Record],
) -> list[tuple]:
    """Rows for grant_ in the order of `citizen.grants`."""
    municipality = authorities[citizen.municipality]
    # Supplies for a new stoma are paid by the region for the first months.
    payer = municipality["region_id"] if citizen.cpr == NEW_STOMA_CPR else municipality["id"]
    valid_from = today - dt.timedelta(days=citizen.granted_days)
    rows = []
    for index, (key, quantity, period_days, *_usual) in enumerate(citizen.grants):
        until = EXPIRING_GRANT_DAYS if citizen.cpr == EXPIRING_GRANT_CPR and index == 0 else citizen.until_days
        valid_to = None if until is None else today + dt.timedelta(days=until)
        rows.append((citizen_id, products[key][0], quantity, period_days, valid_from, valid_to, payer))
    return rows


async def _seed_grants(
    conn: asyncpg.Connection, today: dt.date, citizen_ids: dict[str, int],
    products: dict[str, tuple[int, int]], authorities: dict[int, asyncpg.Record],
) -> dict[str, list[_Grant]]:
    """Insert every citizen's grants; return CPR -> grants (with what the order planner needs)."""
    specs = [(c.cpr, spec, row) for c in DEMO_CITIZENS
             for spec, row in zip(c.grants, _grant_rows(c, citizen_ids[c.cpr], today, products, authorities))]
    columns = {"citizen_id": "bigint", "product_id": "integer", "quantity_per_period": "integer",
               "period_days": "integer", "valid_from": "date", "valid_to": "date", "payer_id": "integer"}
    inserted = await _insert(conn, "grant_", columns, [row for _, _, row in specs],
                             returning="id, citizen_id, product_id")
    ids = {(r["citizen_id"], r["product_id"]): r["id"] for r in inserted}
    grants: dict[str, list[_Grant]] = defaultdict(list)
    for cpr, spec, (citizen_id, product_id, quantity, period_days, valid_from, valid_to, _payer) in specs:
        pack_size = products[spec[0]][1]
        usual = spec[3] if len(spec) > 3 else quantity // pack_size
        grants[cpr].append(_Grant(ids[citizen_id, product_id], product_id, pack_size, quantity,
                                  period_days, valid_from, valid_to, usual))
    return grants


async def _seed_orders(
    conn: asyncpg.Connection, today: dt.date, citizen_ids: dict[str, int],
    grants: dict[str, list[_Grant]], authorities: dict[int, asyncpg.Record],
) -> None:
    planned = []                # (citizen, status, placed_at, lines)
    for c in DEMO_CITIZENS:
        go_live = authorities[c.municipality]["go_live"]
        for status, day, lines in _plan_orders(c, grants[c.cpr], today, go_live):
            planned.append((c, status, _at_ten(day), lines))
    columns = {"citizen_id": "bigint", "status": "text", "placed_at": "timestamptz", "placed_by_kind": "text",
               "recipient_name": "text", "street": "text", "postcode": "text", "city": "text",
               "expected_delivery": "date"}
    rows = [(citizen_ids[c.cpr], status, placed_at, "citizen", c.name, c.street, c.postcode, c.city,
             add_working_days(placed_at.date(), 3))
            for c, status, placed_at, _ in planned]
    inserted = await _insert(conn, "order_", columns, rows, returning="id, citizen_id, placed_at")
    order_ids = {(r["citizen_id"], r["placed_at"]): r["id"] for r in inserted}
    line_rows = [(order_ids[citizen_ids[c.cpr], placed_at], *line)
                 for c, _status, placed_at, lines in planned for line in lines]
    columns = {"order_id": "bigint", "grant_id": "bigint", "product_id": "integer", "packs": "integer",
               "pieces": "integer"}
    await _insert(conn, "order_line", columns, line_rows)
    # Past orders never exceed a period's quota, so each counts in the period of its order date.
    await conn.execute(ALLOCATE_BY_ORDER_DATE)
    await conn.execute(PARCELS_FOR_ORDERS)


PICKUP_POINTS = (
    ("Pakkeshop SuperBrugsen Trøjborg", "Tordenskjoldsgade 20", "8200", "Aarhus N"),
    ("Pakkeshop Netto Randersvej", "Randersvej 142", "8200", "Aarhus N"),
    ("Pakkeboks Odense Banegård", "Østre Stationsvej 27", "5000", "Odense C"),
    ("Pakkeshop Rema 1000 Vestergade", "Vestergade 70", "8600", "Silkeborg"),
)


async def _seed_delivery(conn: asyncpg.Connection, today: dt.date, citizen_ids: dict[str, int]) -> None:
    """Pickup points, and a few citizens with standing delivery choices."""
    columns = {"name": "text", "street": "text", "postcode": "text", "city": "text"}
    points = await _insert(conn, "pickup_point", columns, list(PICKUP_POINTS), returning="id")
    main = citizen_ids[MAIN_DEMO_CPR]
    await conn.execute(
        """INSERT INTO delivery_preference (citizen_id, method, leave_at_door_allowed, driver_note)
           VALUES ($1, 'home', true, 'Stil pakken i carporten, hvis jeg ikke er hjemme.')""", main)
    await conn.execute(
        "INSERT INTO delivery_preference (citizen_id, method, pickup_point_id) VALUES ($1, 'pickup_point', $2)",
        citizen_ids["1409471857"], points[1]["id"])
    await conn.execute(
        """INSERT INTO temporary_address (citizen_id, street, postcode, city, valid_from, valid_to)
           VALUES ($1, 'Klitrosevej 7', '8585', 'Glesborg', $2, $3)""",
        main, today + dt.timedelta(days=40), today + dt.timedelta(days=61))


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------
async def seed_demo(conn: asyncpg.Connection, cpr_key: str, today: dt.date | None = None) -> bool:
    """Write the demo data in one transaction; False (and nothing written) when citizens already exist."""
    today = today or dt.date.today()
    await load_reference_authorities(conn)
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
        if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM citizen)"):
            return False
        await _seed_participation(conn, today)
        await _seed_contacts(conn)
        products = await _seed_catalogue(conn)
        authorities = {r["code"]: r for r in await conn.fetch("SELECT id, code, region_id, go_live FROM authority")}
        citizen_ids = await _seed_citizens(conn, cpr_key, today, authorities)
        grants = await _seed_grants(conn, today, citizen_ids, products, authorities)
        await _seed_orders(conn, today, citizen_ids, grants, authorities)
        await _seed_delivery(conn, today, citizen_ids)
        await seed_catalogue_extras(conn, cpr_key, today)
        await seed_staff(conn, cpr_key, today)
        await seed_casework(conn, cpr_key, today)
        await seed_helpers(conn, cpr_key, MAIN_DEMO_CPR)
        await seed_report_history(conn, today)
        await seed_intake(conn, cpr_key, today)
    return True


async def demo_citizens(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Demo citizens for the demo login page: id, name and municipality (name), ordered by name."""
    return await conn.fetch(
        """SELECT c.id, c.name, a.name AS municipality
           FROM citizen c JOIN authority a ON a.id = c.municipality_id
           WHERE c.is_demo
           ORDER BY c.name, c.id"""
    )
