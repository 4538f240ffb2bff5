"""What a citizen may order now: the one rule every path asks.

The home page, the one tap, the custom order form and its live check, the order by phone (FSC)
and the "time to order again" reminder all take their answer from ``assess`` over rows read by
the SQL below, so what a page promises is what an order then gets (they once drifted: commit
8024cfa). Per grant the answer is: what is left this period (``Balance``), what may be ordered
now (``Orderable``: pieces, packs, and the reason and date when nothing), the one tap's quantity,
the next date more can be ordered, and the reason in plain words. The period arithmetic itself
is pure and lives in ``rules.py``; nothing else reads grant_allocation to decide what may be
ordered (tests/unit/test_one_rule.py keeps it that way).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import asyncpg
import msgspec

from backend.grants.rules import (
    Balance,
    GrantTerms,
    Orderable,
    Reason,
    allocate,
    balance,
    municipality_gate,
    orderable,
    rule_config,
    supply_horizon_days,
    usual_packs,
)
from backend.i18n import format_date, gettext as _

# How far back recently expired grants are still shown (so a citizen sees why one is gone).
SHOW_EXPIRED_DAYS = 60

# The citizen with what ordering needs: the rules of their municipality (go-live, supply horizon),
# address, delivery preference, latest order. Here because what may be ordered depends on it;
# orders.queries builds its order statements on it.
CITIZEN_FOR_ORDERING_SQL = """
SELECT c.id, c.name, c.street, c.postcode, c.city, c.stoma_since,
       a.participates, a.go_live, a.rules, a.name AS municipality,
       a.contact_name AS municipality_contact_name, a.contact_phone AS municipality_contact_phone,
       coalesce(p.method, 'home') AS pref_method, p.pickup_point_id AS pref_pickup_point_id,
       coalesce(p.leave_at_door_allowed, false) AS leave_at_door_allowed,
       coalesce(p.driver_note, '') AS pref_driver_note,
       latest.id AS latest_order_id, latest.status AS latest_order_status,
       latest.expected_delivery AS latest_order_expected
  FROM citizen c
  JOIN authority a ON a.id = c.municipality_id
  LEFT JOIN delivery_preference p ON p.citizen_id = c.id
  LEFT JOIN LATERAL (
        SELECT id, status, expected_delivery FROM order_ WHERE citizen_id = c.id
         ORDER BY placed_at DESC, id DESC LIMIT 1) latest ON true
 WHERE c.id = $1"""

# Which grants ($1 citizen, $2 today, $3 days, $4 grant ids): the given ones (ended ones too, so
# the rules can say why), else the current, upcoming and recently expired ones. The same text
# picks the grants an order locks and the grants every page shows.
_WHICH_GRANTS = """g.citizen_id = $1
   AND (g.id = ANY($4::bigint[])
        OR ($4::bigint[] IS NULL AND (g.valid_to IS NULL OR g.valid_to >= $2::date - $3::int)))"""

# The grants with product facts; per grant the pieces allocated to the current and later periods
# (usage_days, usage_pieces: one entry per period, however many orders) and the packs of the
# citizen's last (not cancelled) order, if it had this grant's product: by product, not by grant,
# so the one tap keeps the usual quantity when a municipality's grant takes over a hospital's
# discharge grant (backend/grants/handover.py). Cancelled orders hold no allocations.
_GRANTS_SQL = f"""
SELECT g.id, g.product_id, g.quantity_per_period, g.period_days, g.valid_from, g.valid_to,
       p.name AS product_name, p.item_no, p.hmi_no, p.category, p.pack_size, p.unit,
       m.name AS manufacturer, payer.name AS payer_name, payer.kind AS payer_kind,
       p.area_code, p.picture_etag, p.valid_to AS product_valid_to, successor.name AS successor_name,
       coalesce(u.starts, '{{}}') AS usage_days, coalesce(u.pieces, '{{}}') AS usage_pieces,
       lo.packs AS last_packs
  FROM grant_ g
  JOIN product p ON p.id = g.product_id
  JOIN manufacturer m ON m.id = p.manufacturer_id
  JOIN authority payer ON payer.id = g.payer_id
  LEFT JOIN product successor ON successor.id = p.successor_id
  LEFT JOIN LATERAL (
        SELECT array_agg(per_period.period_start) AS starts, array_agg(per_period.pieces) AS pieces
          FROM (SELECT a.period_start, sum(a.pieces)::int AS pieces
                  FROM grant_allocation a
                 WHERE a.grant_id = g.id AND a.period_start >= $2::date - g.period_days
                 GROUP BY a.period_start) per_period
  ) u ON true
  LEFT JOIN LATERAL (
        SELECT l.packs FROM order_line l
         WHERE l.order_id = (SELECT id FROM order_ WHERE citizen_id = $1 AND status <> 'cancelled'
                              ORDER BY placed_at DESC, id DESC LIMIT 1)
           AND l.product_id = g.product_id
         ORDER BY l.grant_id = g.id DESC LIMIT 1) lo ON true
 WHERE {_WHICH_GRANTS}"""

# The grants as one JSON array (decoded into GrantRow) in the order the pages list them; a scalar
# subquery with parameters $1–$4, for statements that read more in the same round trip.
GRANTS_JSON_SQL = f"""(SELECT coalesce(json_agg(g ORDER BY g.category, g.product_name, g.id), '[]')
                         FROM ({_GRANTS_SQL}) g)"""

def citizen_with_grants_sql(more: str = "") -> str:
    """The citizen for ordering with their grants (grants_json), and ``more`` columns (", expr AS
    name", over c and parameters from $5) read in the same round trip."""
    return f"SELECT c.*, {GRANTS_JSON_SQL} AS grants_json{more} FROM ({CITIZEN_FOR_ORDERING_SQL}) c"


_CITIZEN_WITH_GRANTS_SQL = citizen_with_grants_sql()

# The ids of the grants an order may draw on (the given ones, else those the pages show), locked
# FOR UPDATE in id order, so concurrent orders on the same grants queue up and never overdraw; an
# expression with parameters $1–$4, for the order's first statement (backend/orders/queries.py).
# Read the allocations only after it, in a later statement (``GRANTS_JSON_SQL`` with the same
# parameters): a statement sees the rows committed before it started, not those it waited for.
LOCKED_GRANT_IDS_SQL = f"""(SELECT coalesce(array_agg(l.id ORDER BY l.id), '{{}}') FROM (
    SELECT g.id FROM grant_ g WHERE {_WHICH_GRANTS} ORDER BY g.id FOR UPDATE OF g) l)"""


class GrantRow(msgspec.Struct, frozen=True):
    """One grant as read by the SQL above (decoded from its JSON array)."""

    id: int
    product_id: int
    quantity_per_period: int
    period_days: int
    valid_from: dt.date
    valid_to: dt.date | None
    product_name: str
    item_no: str
    hmi_no: str | None
    category: str
    pack_size: int
    unit: str
    manufacturer: str
    payer_name: str
    payer_kind: str            # region (a hospital's discharge grant) or municipality
    usage_days: list[dt.date]
    usage_pieces: list[int]
    last_packs: int | None
    area_code: str = "stomi"
    picture_etag: str | None = None         # the product's small picture (None: the placeholder)
    product_valid_to: dt.date | None = None  # the product's last day in the catalogue's range
    successor_name: str | None = None       # the product named to replace it when it leaves the range

    @property
    def terms(self) -> GrantTerms:
        return GrantTerms(self.quantity_per_period, self.period_days, self.valid_from, self.valid_to)

    @property
    def allocated(self) -> dict[dt.date, int]:
        """Pieces allocated per period start, from the current period on."""
        return dict(zip(self.usage_days, self.usage_pieces, strict=True))


decode_rows = msgspec.json.Decoder(list[GrantRow]).decode


class GrantAvailability(msgspec.Struct, frozen=True):
    """One grant's answer: left this period, may order now, the one tap's quantity, next date, reason."""

    grant: GrantRow
    balance: Balance           # left (and used) in the current period, when the next period starts
    limit: Orderable           # what may be ordered now (the municipality's go-live included)
    usual_packs: int           # what the one tap orders (0: not in the one tap)
    next_date: dt.date | None  # when more can be ordered; None when the grant ends first
    reason: str                # why nothing can be ordered now, in plain words ("" when something can)

    @property
    def orders_ahead(self) -> bool:
        """More may be ordered now than is left this period: the next periods' supply, in advance."""
        return self.limit.packs > self.balance.packs_left(self.grant.pack_size)


class Availability(msgspec.Struct, frozen=True):
    """What the citizen may order now, per grant in the order the pages list them."""

    today: dt.date
    horizon_days: int          # how far ahead one order may reach (new stoma: about a month)
    gate: Reason               # OK, or why the citizen's municipality does not take orders here (yet)
    gate_date: dt.date | None
    grants: list[GrantAvailability]

    def one_tap(self) -> list[GrantAvailability]:
        """The usual basket the one tap orders (empty: the tap is refused with ``refusal()``)."""
        return [grant for grant in self.grants if grant.usual_packs > 0]

    def refusal(self) -> str:
        """Why nothing can be ordered now: the municipality, else the first grant's reason."""
        if self.gate is not Reason.OK:
            return reason_text(self.gate, self.gate_date)
        reasons = [grant.reason for grant in self.grants if grant.reason]
        return reasons[0] if reasons else _("There is nothing to order right now.")

    def allocation(self, grant: GrantAvailability, packs: int) -> list[tuple[dt.date, int]]:
        """(period start, pieces) the order of ``packs`` draws on, oldest period first."""
        return allocate(grant.grant.terms, grant.grant.allocated, self.today, self.horizon_days,
                        packs * grant.grant.pack_size)


def reason_text(reason: Reason, date: dt.date | None) -> str:
    """Plain-language explanation of why nothing more can be ordered, with the date it changes."""
    when = format_date(date) if date else ""
    if reason is Reason.QUOTA_USED:
        if date:
            return _("You have ordered what your grant allows for now. You can order more from %(date)s.") % {"date": when}
        return _("You have ordered what your grant allows before it ends.")
    if reason is Reason.NOT_YET_VALID:
        return _("Your grant starts on %(date)s.") % {"date": when}
    if reason is Reason.EXPIRED:
        return _("Your grant ended on %(date)s. Contact your municipality to have it renewed.") % {"date": when}
    if reason is Reason.NOT_LIVE:
        if date:
            return _("Your municipality starts using Fælles Bestilling on %(date)s. Until then, order from your current supplier.") % {"date": when}
        return _("Your municipality has not started using Fælles Bestilling yet. Order from your current supplier.")
    if reason is Reason.NOT_PARTICIPATING:
        return _("Your municipality does not take part in Fælles Bestilling. Order from your current supplier.")
    return ""


def assess_grant(row: GrantRow, today: dt.date, horizon_days: int, gate: Reason = Reason.OK,
                 gate_date: dt.date | None = None) -> GrantAvailability:
    allocated = row.allocated
    limit = orderable(row.terms, allocated, today, horizon_days, row.pack_size)
    if gate is not Reason.OK and limit.packs:
        limit = Orderable(0, 0, gate, gate_date)  # nothing may be ordered here before go-live
    packs = usual_packs(row.quantity_per_period, row.pack_size, row.last_packs, limit.packs)
    current = balance(row.terms, allocated.items(), today)
    # When nothing may be ordered now, the next date is the one the reason names (the quota's next
    # period with room, go-live); otherwise more becomes orderable when the next period starts.
    waiting = limit.packs == 0 and limit.reason in (Reason.QUOTA_USED, Reason.NOT_LIVE, Reason.NOT_PARTICIPATING)
    return GrantAvailability(
        grant=row, balance=current, limit=limit, usual_packs=packs,
        next_date=limit.date if waiting else current.next_period_start,
        reason=reason_text(limit.reason, limit.date) if limit.reason is not Reason.OK else "",
    )


def municipality_gate_of(citizen: Mapping[str, Any], today: dt.date) -> tuple[Reason, dt.date | None]:
    """Whether the citizen's municipality takes orders here yet (an order checks it before it locks)."""
    return municipality_gate(citizen["participates"], citizen["go_live"], today)


def assess(citizen: Mapping[str, Any], rows: list[GrantRow], today: dt.date) -> Availability:
    """The answer for ``citizen`` (a row of CITIZEN_FOR_ORDERING_SQL) and its grants."""
    horizon = supply_horizon_days(citizen["stoma_since"], today, rule_config(citizen["rules"]))
    gate, gate_date = municipality_gate_of(citizen, today)
    return Availability(today, horizon, gate, gate_date,
                        [assess_grant(row, today, horizon, gate, gate_date) for row in rows])


async def load(conn: asyncpg.Connection, citizen_id: int, today: dt.date, grant_ids: list[int] | None = None, *,
               sql: str | None = None,
               more_args: tuple[Any, ...] = ()) -> tuple[asyncpg.Record | None, Availability | None]:
    """The citizen for ordering and what they may order now, in one round trip (for pages; an
    order reads under its locks, see ``LOCKED_GRANT_IDS_SQL``). ``grant_ids``: only those grants.
    ``sql``: a ``citizen_with_grants_sql`` with more columns, whose parameters are ``more_args``."""
    citizen = await conn.fetchrow(sql or _CITIZEN_WITH_GRANTS_SQL, citizen_id, today, SHOW_EXPIRED_DAYS, grant_ids,
                                  *more_args)
    if citizen is None:
        return None, None
    return citizen, assess(citizen, decode_rows(citizen["grants_json"]), today)


def grant_parameters(citizen_id: int, today: dt.date, grant_ids: list[int] | None) -> tuple[Any, ...]:
    """Values of $1–$4 in ``GRANTS_JSON_SQL`` (for statements that embed it)."""
    return citizen_id, today, SHOW_EXPIRED_DAYS, grant_ids
