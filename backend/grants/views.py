"""The citizen's grants as pages show them (home page, FSC call view): balance and what may be
ordered now, computed by the rules from one query."""

from __future__ import annotations

import datetime as dt

import asyncpg
import msgspec

from backend.catalog.labels import category_label, quantity, unit_label
from backend.grants import queries
from backend.grants.rules import (
    Balance,
    GrantStatus,
    GrantTerms,
    Orderable,
    Reason,
    balance,
    orderable,
    rule_config,
    supply_horizon_days,
    usual_packs,
)
from backend.i18n import format_date, format_number, gettext as _, ngettext
from backend.orders.service import reason_text


class GrantRow(msgspec.Struct, frozen=True):
    """One row of the grants query (decoded from its JSON array, see queries.select_citizen_with_grants)."""

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
    usage_days: list[dt.date]
    usage_pieces: list[int]
    last_packs: int | None


_decode_rows = msgspec.json.Decoder(list[GrantRow]).decode


class GrantTexts(msgspec.Struct, frozen=True):
    """A grant's sentences in the request's language, made here rather than in the templates (one
    Python call each instead of several template calls per sentence: the grant cards are most of
    the home page's rendering time). Plain text: the templates escape it."""

    per_pack: str       # "5 stk. pr. pakke"
    left_amount: str    # "30 stk." left this period ("" unless active)
    left: str           # "Tilbage i denne periode: 30 stk." ("" unless active)
    packs_left: str     # "(6 pakker)" when a pack holds more than one piece, else ""
    not_active: str     # why the grant gives nothing now: expired on / starts on ("" when active)
    orderable: str      # "Du kan bestille op til 6 pakker nu." or the reason why not ("" if neither)
    granted: str        # "90 stk. pr. 30 dage"
    used: str           # "60 stk."
    next_period: str    # date more can be ordered from ("" when the grant ends first)
    expiry: str         # last valid day ("" when valid until further notice)
    renew: str          # "Contact your municipality before …" when the grant ends soon, else ""


class GrantView(msgspec.Struct, frozen=True):
    """One granted product as the home page shows it."""

    id: int
    product_name: str
    manufacturer: str
    category: str
    item_no: str
    hmi_no: str | None
    pack_size: int
    unit: str
    period_days: int
    payer_name: str
    balance: Balance
    limit: Orderable
    usual_packs: int
    reason: str  # plain-language reason when nothing can be ordered now
    texts: GrantTexts


def grant_texts(b: Balance, limit: Orderable, reason: str, pack_size: int, unit_key: str,
                period_days: int) -> GrantTexts:
    active = b.status is GrantStatus.ACTIVE
    left_amount = quantity(unit_key, b.left) if active else ""
    if active:
        not_active = ""
    elif b.status is GrantStatus.EXPIRED:
        not_active = _("This grant expired on %(date)s.") % {"date": format_date(b.expires_on)}
    else:
        not_active = _("This grant starts on %(date)s.") % {"date": format_date(b.next_period_start)}
    if limit.packs:
        can_order = (ngettext("You can order %(num)s pack now.", "You can order up to %(num)s packs now.", limit.packs)
                     % {"num": limit.packs})
    else:
        can_order = reason if active else ""
    packs_left = ""
    if active and pack_size > 1:
        packs = b.packs_left(pack_size)
        packs_left = "(" + ngettext("%(num)s pack", "%(num)s packs", packs) % {"num": packs} + ")"
    return GrantTexts(
        per_pack=_("%(count)s %(unit)s per pack") % {"count": format_number(pack_size),
                                                      "unit": unit_label(unit_key, pack_size)},
        left_amount=left_amount,
        left=(_("Left this period: %(count)s %(unit)s") % {"count": format_number(b.left),
                                                           "unit": unit_label(unit_key, b.left)} if active else ""),
        packs_left=packs_left,
        not_active=not_active,
        orderable=can_order,
        granted=(ngettext("%(count)s %(unit)s per day", "%(count)s %(unit)s per %(num)s days", period_days)
                 % {"count": format_number(b.granted), "unit": unit_label(unit_key, b.granted), "num": period_days}),
        used=quantity(unit_key, b.used),
        next_period=format_date(b.next_period_start) if b.next_period_start else "",
        expiry=format_date(b.expires_on) if b.expires_on else "",
        renew=(_("Contact your municipality before %(date)s to have it renewed.") % {"date": format_date(b.expires_on)}
               if b.expires_soon and b.expires_on else ""),
    )


def grant_views(rows: list[GrantRow], today: dt.date, horizon_days: int) -> list[GrantView]:
    views = []
    for row in rows:
        terms = GrantTerms(row.quantity_per_period, row.period_days, row.valid_from, row.valid_to)
        allocated = dict(zip(row.usage_days, row.usage_pieces, strict=True))
        limit = orderable(terms, allocated, today, horizon_days, row.pack_size)
        b = balance(terms, allocated.items(), today)
        reason = reason_text(limit.reason, limit.date) if limit.reason is not Reason.OK else ""
        views.append(
            GrantView(
                id=row.id, product_name=row.product_name, manufacturer=row.manufacturer,
                category=category_label(row.category), item_no=row.item_no, hmi_no=row.hmi_no,
                pack_size=row.pack_size, unit=unit_label(row.unit), period_days=row.period_days,
                payer_name=row.payer_name, balance=b, limit=limit,
                usual_packs=usual_packs(row.quantity_per_period, row.pack_size, row.last_packs, limit.packs),
                reason=reason, texts=grant_texts(b, limit, reason, row.pack_size, row.unit, row.period_days),
            )
        )
    return views


async def load_citizen_grants(
    conn: asyncpg.Connection, citizen_id: int, today: dt.date
) -> tuple[asyncpg.Record | None, list[GrantView]]:
    """The citizen (as orders.queries.select_citizen_for_ordering returns it) and their grant views,
    in one round trip."""
    citizen = await queries.select_citizen_with_grants(conn, citizen_id, today)
    if citizen is None:
        return None, []
    horizon = supply_horizon_days(citizen["stoma_since"], today, rule_config(citizen["rules"]))
    return citizen, grant_views(_decode_rows(citizen["grants_json"]), today, horizon)
