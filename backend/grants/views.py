"""The citizen's grants as pages show them (home page, custom order form, FSC call view and its
order by phone): the answers of grants.availability in the request's language."""

from __future__ import annotations

import datetime as dt

import asyncpg
import msgspec

from backend.catalog.labels import AREA_LABELS, area_label, category_label, quantity, unit_label
from backend.grants.availability import Availability, GrantAvailability, GrantRow, load
from backend.grants.rules import Balance, GrantStatus, Orderable
from backend.i18n import format_date, format_number, gettext as _, ngettext


class GrantTexts(msgspec.Struct, frozen=True):
    """A grant's sentences in the request's language, made here rather than in the templates (one
    Python call each instead of several template calls per sentence: the grant cards are most of
    the home page's rendering time). Plain text: the templates escape it."""

    per_pack: str       # "5 stk. pr. pakke"
    left_amount: str    # "30 stk." left this period ("" unless active)
    left: str           # "Tilbage i denne periode: 30 stk." ("" unless active)
    packs_left: str     # "(6 pakker)" when a pack holds more than one piece, else ""
    not_active: str     # why the grant gives nothing now: expired on / starts on ("" when active)
    orderable: str      # "Du kan bestille op til 6 pakker nu." (and why, when that reaches into the next
                        # periods), or the reason why nothing can be ordered now ("" unless active)
    granted: str        # "90 stk. pr. 30 dage"
    used: str           # "60 stk."
    next_period: str    # date more can be ordered from ("" when the grant ends first)
    expiry: str         # last valid day ("" when valid until further notice)
    renew: str          # "Contact your municipality before …" when the grant ends soon, else ""
    replaced: str = ""  # "… leaves the range … replaced by …" when the product leaves the catalogue's range


class GrantView(msgspec.Struct, frozen=True):
    """One granted product as the pages show it (all from one GrantAvailability)."""

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
    show_payer: bool  # "Paid by" only where it matters: a region pays, or another payer takes over
    follow_on: str    # "From 12 December, Skanderborg Kommune pays …" when a grant takes over ("" if none)
    balance: Balance
    limit: Orderable
    usual_packs: int  # what the one tap orders
    reason: str       # plain-language reason when nothing can be ordered now
    texts: GrantTexts
    area_code: str = "stomi"
    picture_url: str = ""  # the product's small picture ("" : the placeholder)


def orderable_text(grant: GrantAvailability) -> str:
    """What may be ordered now and, when that reaches into the next periods, why that is allowed
    (so "Left this period: 0 pieces" and "You can order up to 6 packs now" do not contradict)."""
    limit, left, next_start = grant.limit, grant.balance.left, grant.balance.next_period_start
    if not limit.packs:
        return grant.reason
    text = (ngettext("You can order %(num)s pack now.", "You can order up to %(num)s packs now.", limit.packs)
            % {"num": limit.packs})
    if grant.orders_ahead and next_start is not None:
        if left == 0:
            why = _("This period's supply has been ordered, but you may order the next periods' supply in "
                    "advance. The next period starts on %(date)s.")
        else:
            why = _("That is what is left in this period and the next periods' supply, which you may order "
                    "in advance. The next period starts on %(date)s.")
        text = f"{text} {why % {'date': format_date(next_start)}}"
    return text


def replaced_text(row: GrantRow, today: dt.date) -> str:
    """When the product leaves (or has left) the catalogue's range: since when, and its successor."""
    if row.product_valid_to is None:
        return ""
    if row.product_valid_to < today:
        if row.successor_name:
            return _("This product has left the range. It is replaced by %(name)s.") % {"name": row.successor_name}
        return _("This product has left the range. Contact your municipality about a replacement.")
    if row.successor_name:
        return _("This product leaves the range after %(date)s. It is replaced by %(name)s.") % {
            "date": format_date(row.product_valid_to), "name": row.successor_name}
    return ""


def grant_texts(grant: GrantAvailability, unit_key: str, today: dt.date | None = None) -> GrantTexts:
    """The card's sentences; units agree with their numbers ("1 tube", "3 tuber")."""
    b, row = grant.balance, grant.grant
    active = b.status is GrantStatus.ACTIVE
    if active:
        not_active = ""
    elif b.status is GrantStatus.EXPIRED:
        not_active = _("This grant expired on %(date)s.") % {"date": format_date(b.expires_on)}
    else:
        not_active = _("This grant starts on %(date)s.") % {"date": format_date(b.next_period_start)}
    packs_left = ""
    if active and row.pack_size > 1:
        packs = b.packs_left(row.pack_size)
        packs_left = "(" + ngettext("%(num)s pack", "%(num)s packs", packs) % {"num": packs} + ")"
    return GrantTexts(
        per_pack=_("%(count)s %(unit)s per pack") % {"count": format_number(row.pack_size),
                                                      "unit": unit_label(unit_key, row.pack_size)},
        left_amount=quantity(unit_key, b.left) if active else "",
        left=(_("Left this period: %(count)s %(unit)s") % {"count": format_number(b.left),
                                                           "unit": unit_label(unit_key, b.left)} if active else ""),
        packs_left=packs_left,
        not_active=not_active,
        orderable=orderable_text(grant) if active else "",
        granted=(ngettext("%(count)s %(unit)s per day", "%(count)s %(unit)s per %(num)s days", row.period_days)
                 % {"count": format_number(b.granted), "unit": unit_label(unit_key, b.granted),
                    "num": row.period_days}),
        used=quantity(unit_key, b.used),
        next_period=format_date(grant.next_date) if grant.next_date else "",
        expiry=format_date(b.expires_on) if b.expires_on else "",
        renew=(_("Contact your municipality before %(date)s to have it renewed.") % {"date": format_date(b.expires_on)}
               if b.expires_soon and b.expires_on else ""),
        replaced=replaced_text(row, today) if today is not None else "",
    )


def _follow_on_text(grant: GrantAvailability, follow_on: GrantAvailability) -> str:
    when = format_date(follow_on.grant.valid_from)
    if follow_on.grant.payer_name != grant.grant.payer_name:
        return _("From %(date)s, %(payer)s pays for this product.") % {"date": when, "payer": follow_on.grant.payer_name}
    return _("Your grant continues from %(date)s.") % {"date": when}


def grant_view(grant: GrantAvailability, today: dt.date | None = None,
               follow_on: GrantAvailability | None = None) -> GrantView:
    """One product line: ``grant`` as it stands today and, when another grant takes over from the
    day after it ends (a municipality's after a hospital's discharge grant), that one's end date
    and payer, so the line runs on without a gap and without a "renew your grant" warning."""
    row = grant.grant
    unit = unit_label(row.unit)
    texts = grant_texts(grant, row.unit, today)
    if follow_on is not None:
        last_day = follow_on.grant.valid_to
        texts = msgspec.structs.replace(texts, renew="", expiry=format_date(last_day) if last_day else "")
    return GrantView(
        id=row.id, product_name=row.product_name, manufacturer=row.manufacturer,
        category=category_label(row.category), item_no=row.item_no, hmi_no=row.hmi_no,
        pack_size=row.pack_size, unit=unit, period_days=row.period_days, payer_name=row.payer_name,
        show_payer=row.payer_kind == "region" or (
            follow_on is not None and follow_on.grant.payer_name != row.payer_name),
        follow_on=_follow_on_text(grant, follow_on) if follow_on is not None else "",
        balance=grant.balance, limit=grant.limit, usual_packs=grant.usual_packs, reason=grant.reason,
        texts=texts, area_code=row.area_code,
        picture_url=f"/products/{row.product_id}/picture?v={row.picture_etag}" if row.picture_etag else "",
    )


def _takes_over(later: GrantAvailability, earlier: GrantAvailability) -> bool:
    """``later`` is the same product's grant from the day after ``earlier`` ends."""
    a, b = earlier.grant, later.grant
    return (a.product_id == b.product_id and a.valid_to is not None
            and b.valid_from == a.valid_to + dt.timedelta(days=1))


def product_lines(grants: list[GrantAvailability], today: dt.date | None = None) -> list[GrantView]:
    """The grants as product lines: a grant that another has taken over is not shown once the
    other has started, and a grant that takes over later is shown on the line of the one it
    follows (the hand-over day belongs to exactly one of them, backend/intake/plan.py)."""
    views = []
    for grant in grants:
        status = grant.balance.status
        if status is GrantStatus.EXPIRED and any(
                _takes_over(other, grant) and other.balance.status is not GrantStatus.EXPIRED for other in grants):
            continue  # handed over: the line continues with the grant that took over
        if status is GrantStatus.NOT_YET_VALID and any(
                _takes_over(grant, other) and other.balance.status is GrantStatus.ACTIVE for other in grants):
            continue  # shown on the line of the grant it takes over from
        follow_on = next((other for other in grants if other.balance.status is GrantStatus.NOT_YET_VALID
                          and _takes_over(other, grant)), None) if status is GrantStatus.ACTIVE else None
        views.append(grant_view(grant, today, follow_on))
    return views


class CitizenGrants(msgspec.Struct, frozen=True):
    """A citizen's grants as the pages show them, and the answer they were made from."""

    citizen: asyncpg.Record
    available: Availability
    grants: list[GrantView]  # in the order the pages list them

    def one_tap(self) -> list[GrantView]:
        """The usual basket the one tap orders, as the home page offers it."""
        return [grant for grant in self.grants if grant.usual_packs > 0]

    def by_area(self) -> list[tuple[str, list[GrantView]]]:
        """(translated area heading, its grants) in the areas' order; the home page groups by area
        only when there is more than one."""
        groups: dict[str, list[GrantView]] = {}
        for grant in self.grants:
            groups.setdefault(grant.area_code, []).append(grant)
        order = list(AREA_LABELS)
        return [(area_label(code), groups[code])
                for code in sorted(groups, key=lambda c: order.index(c) if c in order else len(order))]

    def orderable(self) -> list[GrantView]:
        """The grants an order form lists: those that have not ended."""
        return [grant for grant in self.grants if grant.balance.status is not GrantStatus.EXPIRED]


async def load_citizen_grants(conn: asyncpg.Connection, citizen_id: int, today: dt.date, *,
                              sql: str | None = None, more_args: tuple = ()) -> CitizenGrants | None:
    """The citizen (a row of grants.availability.CITIZEN_FOR_ORDERING_SQL) and their grants, in one
    round trip; ``sql``/``more_args``: more columns in it (grants.availability.citizen_with_grants_sql)."""
    citizen, available = await load(conn, citizen_id, today, sql=sql, more_args=more_args)
    if citizen is None or available is None:
        return None
    return CitizenGrants(citizen, available, product_lines(available.grants, today))
