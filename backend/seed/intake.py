"""Demo data of the grant intake (issue 16 §2), put in through the intake itself (the same checks
and hand-over as the API): a hospital discharge grant from Region Midtjylland that a municipal
grant takes over, and a discharge grant that ends within 14 days with no follow-on (it shows on
FSC's "Discharge grants ending" page). No API key is seeded: a supervisor makes one at /fsc/api-keys.
Invented people and CPR numbers."""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend.intake.apply import Actor
from backend.intake.models import CREATE, Line
from backend.intake.service import authority_by_code, run_batch

HANDOVER_CPR = "1506581122"       # Anders Bech, Skanderborg: discharge grant, the municipality takes over in 10 days
ENDING_CPR = "2209631345"         # Ruth Damgaard, Aarhus: discharge grant ends in 11 days, no follow-on yet
HANDOVER_IN_DAYS = 10
ENDING_IN_DAYS = 11


def _line(number: int, reference: str, cpr: str, name: str, street: str, postcode: str, city: str,
          municipality: int, hmi_no: str, quantity: int, valid_from: dt.date, valid_to: dt.date | None,
          stoma_since: dt.date) -> Line:
    return Line(number, CREATE, reference, cpr=cpr, name=name, street=street, postcode=postcode, city=city,
                municipality_code=municipality, phone="+45 20 00 00 00", stoma_since=stoma_since, hmi_no=hmi_no,
                area="stomi", quantity_per_period=quantity, period_days=30, valid_from=valid_from, valid_to=valid_to)


async def seed_intake(conn: asyncpg.Connection, cpr_key: str, today: dt.date) -> None:
    region, skanderborg = await authority_by_code(conn, 1082), await authority_by_code(conn, 746)
    operated = today - dt.timedelta(days=35)
    system = Actor("system", None, "seed")
    discharge = [
        _line(1, "RM-AUH-DEMO-1", HANDOVER_CPR, "Anders Bech", "Møllevej 7", "8660", "Skanderborg", 746,
              "504233", 40, operated, None, operated),
        _line(2, "RM-AUH-DEMO-2", HANDOVER_CPR, "Anders Bech", "Møllevej 7", "8660", "Skanderborg", 746,
              "504305", 20, operated, None, operated),
        _line(3, "RM-AUH-DEMO-3", ENDING_CPR, "Ruth Damgaard", "Fenrisvej 12", "8210", "Aarhus V", 751,
              "504217", 60, operated, today + dt.timedelta(days=ENDING_IN_DAYS), operated),
    ]
    follow_on = [
        _line(1, "SKB-DEMO-1", HANDOVER_CPR, "Anders Bech", "Møllevej 7", "8660", "Skanderborg", 746,
              "504233", 40, today + dt.timedelta(days=HANDOVER_IN_DAYS), None, operated),
    ]
    for issuer, lines in ((region, discharge), (skanderborg, follow_on)):
        plan, outcome = await run_batch(conn, issuer, lines, cpr_key=cpr_key, actor=system)
        if outcome is None:
            raise ValueError(f"demo intake refused: {[(line.number, line.errors) for line in plan.bad_lines]}")
    await conn.execute("UPDATE citizen SET is_demo = true WHERE name IN ('Anders Bech', 'Ruth Damgaard')")
