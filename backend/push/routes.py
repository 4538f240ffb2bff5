"""The citizen's notification settings: turn on for this phone, my devices, which notices.

The page works without JavaScript for everything but subscribing (which only a browser script
can do): the device list and the preferences are plain forms. pwa/static/js/push.js subscribes
after a tap and posts the subscription here as JSON with the CSRF header.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.openapi.spec import Schema
from litestar.params import Body, FromQuery

from backend import i18n
from backend.audit import log_event
from backend.auth.models import Viewer
from backend.i18n import gettext as _
from backend.push import queries
from backend.push.endpoints import EndpointPolicy
from backend.push.notices import PREFERENCE_TYPES, label
from backend.push.subscriptions import (
    InvalidSubscription,
    RenewalIn,
    SubscriptionIn,
    device_label,
    parse_subscription,
)
from backend.ratelimit.limiter import enforce, limited
from backend.web.deps import DB, provide_viewer
from backend.web.templating import render, see_other
from backend.web.input import PathId
from backend.web.openapi_bodies import JSON, body_operation

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


def problem(status: int, message: str) -> Response:
    return Response({"detail": message}, status_code=status, headers={"Cache-Control": "no-store"})


def not_available() -> Response:
    return problem(503, _("Notifications are not available right now."))


_KEYS = Schema(type="object", required=["p256dh", "auth"],
               properties={"p256dh": Schema(type="string"), "auth": Schema(type="string")})
SUBSCRIPTION = Schema(type="object", required=["endpoint", "keys"],
                      properties={"endpoint": Schema(type="string", format="uri"), "keys": _KEYS})
RENEWAL = Schema(type="object", required=["old_endpoint", "old_auth", "endpoint", "keys"],
                 properties={"old_endpoint": Schema(type="string", format="uri"), "old_auth": Schema(type="string"),
                             "endpoint": Schema(type="string", format="uri"), "keys": _KEYS})


class NotificationsController(Controller):
    path = "/notifications"
    opt = {"access": "citizen"}  # see backend/web/access.py
    dependencies = {"viewer": Provide(provide_viewer, sync_to_thread=False)}

    @get("/", name="notifications", opt={"scope": "notifications"})
    async def page(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                   saved: FromQuery[bool] = False) -> Response:
        settings = request.app.state.settings
        if viewer.is_helper:  # the helper's own phones get the citizen's delivery notices
            return render(request, "notifications_helper.html", {
                "push_enabled": settings.push_enabled, "public_key": settings.vapid_public_key, "saved": saved,
                "devices": await queries.select_person_subscriptions(db, viewer.actor_id)})
        disabled = await queries.select_disabled_types(db, viewer.citizen_id)
        return render(request, "notifications.html", {
            "push_enabled": settings.push_enabled, "public_key": settings.vapid_public_key,
            "devices": await queries.select_subscriptions(db, viewer.citizen_id),
            "preferences": [(notice.value, label(notice), notice.value not in disabled) for notice in PREFERENCE_TYPES],
            "saved": saved,
        })

    @post("/preferences", name="notification_preferences")
    async def save_preferences(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                               data: Annotated[dict[str, Any], FORM]) -> Response:
        """Checked boxes are on, the others off (a form without JavaScript sends only checked boxes)."""
        chosen = {notice.value: data.get(f"type-{notice.value}") == "1" for notice in PREFERENCE_TYPES}
        async with db.transaction():
            await queries.save_preferences(db, viewer.citizen_id, chosen)
            await log_event(db, actor_kind=viewer.actor[0], actor_id=viewer.actor[1], citizen_id=viewer.citizen_id,
                            action="push_preferences_changed")
        return see_other(request, "/notifications?saved=1")

    @post("/subscriptions", name="push_subscribe", status_code=201, guards=[limited("push_subscribe")],
          opt={"scope": "notifications"},
          operation_class=body_operation(JSON, SUBSCRIPTION, "PushSubscription.toJSON()"))
    async def subscribe(self, request: Request, db: DB, viewer: NamedDependency[Viewer]) -> Response:
        """JSON {endpoint, keys: {p256dh, auth}} from PushSubscription.toJSON(); 422 writes nothing.
        Only an allowed push service's address is taken; a citizen has at most FSC_PUSH_MAX_DEVICES
        devices (the oldest is replaced)."""
        settings = request.app.state.settings
        if not settings.push_enabled:
            return not_available()
        try:
            _incoming, endpoint, keys = parse_subscription(await request.body(), SubscriptionIn,
                                                           EndpointPolicy.from_settings(settings))
        except InvalidSubscription as exc:
            return problem(422, exc.message)
        label = device_label(request.headers.get("user-agent", ""))
        async with db.transaction():
            if viewer.is_helper:  # the helper's own device: it belongs to the person (and their own citizen record)
                person = request.scope["state"]["person"]
                await queries.lock_person_devices(db, viewer.actor_id)
                subscription_id = await queries.upsert_person_subscription(
                    db, viewer.actor_id, person.citizen_id, endpoint, keys.p256dh, keys.auth,
                    i18n.current_language.get(), label)
                replaced = await queries.delete_oldest_person_devices(db, viewer.actor_id, subscription_id,
                                                                      settings.push_max_devices)
            else:
                await queries.lock_devices(db, viewer.citizen_id)
                subscription_id = await queries.upsert_subscription(
                    db, viewer.citizen_id, endpoint, keys.p256dh, keys.auth, i18n.current_language.get(), label)
                replaced = await queries.delete_oldest_devices(db, viewer.citizen_id, subscription_id,
                                                               settings.push_max_devices)
            await log_event(db, actor_kind=viewer.actor[0], actor_id=viewer.actor[1], citizen_id=viewer.citizen_id,
                            action="push_subscribed",
                            detail={"subscription_id": subscription_id} | ({"replaced": replaced} if replaced else {}))
        return Response({"id": subscription_id, "detail": _("This phone will now get notifications.")},
                        status_code=201, headers={"Cache-Control": "no-store"})

    @post("/subscriptions/{subscription_id:int}/delete", name="push_unsubscribe", opt={"scope": "notifications"})
    async def remove(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                     subscription_id: PathId) -> Response:
        async with db.transaction():
            removed = (await queries.delete_person_subscription(db, viewer.actor_id, subscription_id)
                       if viewer.is_helper else  # a helper removes only their own devices, never the citizen's
                       await queries.delete_own_subscription(db, viewer.citizen_id, subscription_id))
            if not removed:
                raise NotFoundException()
            await log_event(db, actor_kind=viewer.actor[0], actor_id=viewer.actor[1], citizen_id=viewer.citizen_id,
                            action="push_unsubscribed", detail={"subscription_id": subscription_id})
        return see_other(request, "/notifications?saved=1")


# public: the service worker may have no live session; it proves itself by the old subscription's secret.
@post("/notifications/subscriptions/renew", name="push_renew", status_code=200, opt={"access": "public"},
      guards=[limited("push_renew", account=False)],
      operation_class=body_operation(JSON, RENEWAL, "The new subscription and the old one's endpoint and auth secret"))
async def renew(request: Request, db: DB) -> Response:
    """The service worker's ``pushsubscriptionchange``: replace the old endpoint with the new one.

    Sent by the service worker, which has neither the page's CSRF token nor perhaps a live
    session; it proves it held the old subscription by its auth secret (only the device and we
    know it), so this route is exempt from CSRF and needs no login. Limited per client before
    anything is read, and per citizen once the old subscription is proven."""
    settings = request.app.state.settings
    if not settings.push_enabled:
        return not_available()
    try:
        incoming, endpoint, keys = parse_subscription(await request.body(), RenewalIn,
                                                      EndpointPolicy.from_settings(settings))
    except InvalidSubscription as exc:
        return problem(422, exc.message)
    async with db.transaction():
        old = await queries.select_subscription_by_endpoint(db, incoming.old_endpoint)
        if old is None or not _same_secret(old["auth"], incoming.old_auth):
            return problem(404, _("This phone's old subscription is not known. Turn on notifications again."))
        # Inside the transaction: a refusal rolls back and writes nothing, not even its own count.
        owner = f"citizen:{old['citizen_id']}" if old["citizen_id"] is not None else f"person:{old['person_id']}"
        await enforce(request, "push_renew", client=False, account=owner, conn=db)
        await queries.replace_endpoint(db, old["id"], endpoint, keys.p256dh, keys.auth)
        await log_event(db, actor_kind="citizen" if old["citizen_id"] is not None else "person",
                        actor_id=old["citizen_id"] or old["person_id"], citizen_id=old["citizen_id"],
                        action="push_subscription_renewed", detail={"subscription_id": old["id"]})
    return Response({"id": old["id"]}, headers={"Cache-Control": "no-store"})


def _same_secret(stored: str, given: str) -> bool:
    return hmac.compare_digest(stored.rstrip("=").encode(), given.rstrip("=").encode())


routes = [NotificationsController, renew]
