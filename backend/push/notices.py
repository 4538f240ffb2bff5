"""What each notification says, in the subscriber's language, and how it is delivered.

Texts are shown on a lock screen, so they never name products or health details: the parcel is
discreet, the notification is too. Every text is an English msgid translated by gettext.
"""

from __future__ import annotations

import datetime as dt
import enum

import msgspec

from backend import i18n
from backend.catalog.labels import N_
from backend.i18n import gettext as _

ICON = "/static/icons/icon-192.png"
DAY = 24 * 3600


class NoticeType(str, enum.Enum):
    """What a notification is about (``type`` in its payload). Each is a type a citizen can turn
    on and off (push_preference.type), except those in ``PREFERENCE_OF``, which follow another."""

    ORDER_CONFIRMED = "order_confirmed"
    ORDER_CANCELLED = "order_cancelled"
    CANCEL_REFUSED = "cancel_refused"
    HANDED_TO_CARRIER = "handed_to_carrier"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    BACKORDER = "backorder"
    CALLBACK_REMINDER = "callback_reminder"
    CALLBACK_UNREACHABLE = "callback_unreachable"
    TIME_TO_REORDER = "time_to_reorder"
    GRANT_EXPIRING = "grant_expiring"
    CHANGE_REQUEST_DECIDED = "change_request_decided"
    HELPER_ORDERED = "helper_ordered"


# Notices without a switch of their own: "we could not reach you" is about the same booked call
# as its reminder, so the one "calls from FSC" switch covers both.
# The warehouse's answer to a cancel is about the order the citizen was told was confirmed.
PREFERENCE_OF = {NoticeType.CALLBACK_UNREACHABLE: NoticeType.CALLBACK_REMINDER,
                 NoticeType.ORDER_CANCELLED: NoticeType.ORDER_CONFIRMED,
                 NoticeType.CANCEL_REFUSED: NoticeType.ORDER_CONFIRMED}
# The switches on the preferences page, in this order.
PREFERENCE_TYPES = tuple(notice for notice in NoticeType if notice not in PREFERENCE_OF)

# Parcel/order statuses (and the backorder flag) that citizens are told about.
STATUS_NOTICES = {
    "placed": NoticeType.ORDER_CONFIRMED,
    "cancelled": NoticeType.ORDER_CANCELLED,
    "cancel_refused": NoticeType.CANCEL_REFUSED,
    "handed_to_carrier": NoticeType.HANDED_TO_CARRIER,
    "out_for_delivery": NoticeType.OUT_FOR_DELIVERY,
    "delivered": NoticeType.DELIVERED,
    "delivery_failed": NoticeType.DELIVERY_FAILED,
    "item_backordered": NoticeType.BACKORDER,
}
# What a helper with the "notifications" scope gets on their own phone: the citizen's order and
# parcel notices (not the citizen's reminders, calls or the notice about the helper's own order).
HELPER_NOTICES = frozenset(STATUS_NOTICES.values())

# (label on the preferences page, title, body)
_TEXTS: dict[NoticeType, tuple[str, str, str]] = {
    NoticeType.ORDER_CONFIRMED: (N_("Order confirmed or cancelled"), N_("We have received your order"),
                                 N_("Order %(order)s is on its way to the warehouse.")),
    NoticeType.ORDER_CANCELLED: ("", N_("Your order is cancelled"),
                                 N_("The warehouse has stopped order %(order)s. Nothing will be sent.")),
    NoticeType.CANCEL_REFUSED: ("", N_("It was too late to cancel"),
                                N_("The warehouse had already started packing order %(order)s. It will be "
                                   "sent as usual.")),
    NoticeType.HANDED_TO_CARRIER: (N_("Handed to the carrier"), N_("Your parcel is on its way"),
                                   N_("The warehouse has handed your parcel to the carrier.")),
    NoticeType.OUT_FOR_DELIVERY: (N_("Out for delivery"), N_("Your parcel arrives today"),
                                  N_("The driver is on the way with your parcel.")),
    NoticeType.DELIVERED: (N_("Delivered"), N_("Your parcel has been delivered"),
                           N_("Order %(order)s has arrived.")),
    NoticeType.DELIVERY_FAILED: (N_("Delivery failed"), N_("We could not deliver your parcel"),
                                 N_("Open the app to see what happens next.")),
    NoticeType.BACKORDER: (N_("Product out of stock (backorder)"), N_("Part of your order is delayed"),
                           N_("A product is out of stock. Open the app to choose what to do.")),
    NoticeType.CALLBACK_REMINDER: (N_("Calls from Fælles Service Center (reminder, and when we could not reach you)"),
                                   N_("Fælles Service Center will call you soon"),
                                   N_("We will call you at %(time)s on %(phone)s.")),
    NoticeType.CALLBACK_UNREACHABLE: ("", N_("We could not reach you"),
                                      N_("Fælles Service Center tried to call you 3 times. "
                                         "Book a new time or call us.")),
    NoticeType.TIME_TO_REORDER: (N_("Time to order again"), N_("Time to order again"),
                                 N_("Your supply will soon run low. Order again with one tap.")),
    NoticeType.GRANT_EXPIRING: (N_("Grant expiring"), N_("Your grant ends soon"),
                                N_("A grant ends on %(date)s. Contact your municipality to have it renewed.")),
    # The lock screen says that an answer came, not what was asked for or what it was.
    NoticeType.CHANGE_REQUEST_DECIDED: (N_("Answers to your requests for another product"),
                                        N_("You have an answer"),
                                        N_("Your request has been answered. Open the app to see the answer.")),
    NoticeType.HELPER_ORDERED: (N_("A helper orders for me"), N_("A helper has ordered for you"),
                                N_("%(helper)s has placed order %(order)s for you.")),
}

# How long a push service keeps an undelivered message (a phone may be off for days), and urgency.
_DELIVERY: dict[NoticeType, tuple[int, str]] = {
    NoticeType.ORDER_CONFIRMED: (2 * DAY, "normal"),
    NoticeType.ORDER_CANCELLED: (2 * DAY, "normal"),
    NoticeType.CANCEL_REFUSED: (2 * DAY, "high"),
    NoticeType.HANDED_TO_CARRIER: (3 * DAY, "normal"),
    NoticeType.OUT_FOR_DELIVERY: (1 * DAY, "high"),
    NoticeType.DELIVERED: (4 * DAY, "normal"),
    NoticeType.DELIVERY_FAILED: (4 * DAY, "high"),
    NoticeType.BACKORDER: (4 * DAY, "normal"),
    NoticeType.CALLBACK_REMINDER: (1800, "high"),   # sent 30 minutes before the call: useless after it
    NoticeType.CALLBACK_UNREACHABLE: (2 * DAY, "normal"),
    NoticeType.TIME_TO_REORDER: (2 * DAY, "low"),
    NoticeType.GRANT_EXPIRING: (4 * DAY, "low"),
    NoticeType.CHANGE_REQUEST_DECIDED: (4 * DAY, "normal"),
    NoticeType.HELPER_ORDERED: (2 * DAY, "normal"),
}


def label(notice: NoticeType) -> str:
    return _(_TEXTS[notice][0])


def preference(notice: NoticeType) -> NoticeType:
    """The switch (push_preference.type) that turns ``notice`` on and off."""
    return PREFERENCE_OF.get(notice, notice)


def delivery(notice: NoticeType) -> tuple[int, str]:
    """(TTL seconds, Urgency) for a notice type."""
    return _DELIVERY[notice]


class Payload(msgspec.Struct, frozen=True):
    """The JSON the service worker receives (pwa/sw.js ``push`` handler)."""

    title: str
    body: str
    url: str        # deep link opened on tap
    tag: str        # a later notice with the same tag replaces the earlier one on the phone
    type: str
    icon: str = ICON


def _format(value: object) -> object:
    if isinstance(value, dt.datetime):
        return i18n.format_time(value)
    if isinstance(value, dt.date):
        return i18n.format_date(value)
    return value


def build(notice: NoticeType, language: str, *, url: str, tag: str, values: dict[str, object] | None = None,
          about: str | None = None) -> bytes:
    """The encoded payload in ``language`` (values are inserted after translation; dates and times
    formatted in that language, times of day in Danish time). ``about``: sent to a helper's phone,
    the title names whose parcel it is."""
    token = i18n.current_language.set(language)
    try:
        _label, title, body = _TEXTS[notice]
        if values:
            text = _(body) % {name: _format(value) for name, value in values.items()}
        else:
            text = _(body)
        shown = _("About %(name)s: %(title)s") % {"name": about, "title": _(title)} if about else _(title)
        return msgspec.json.encode(Payload(shown, text, url, tag, notice.value))
    finally:
        i18n.current_language.reset(token)
