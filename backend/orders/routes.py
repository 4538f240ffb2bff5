"""Citizen order pages: one tap, custom order with live checks, receipt, cancel, history."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body

from backend.auth.models import Viewer
from backend.grants import availability
from backend.grants.rules import Reason
from backend.grants.views import load_citizen_grants
from backend.i18n import gettext as _
from backend.i18n import ngettext
from backend.orders.receipt import cancellable
from backend.parcels.queries import select_parcels
from backend.orders import cancel as cancelling
from backend.orders import queries, service
from backend.orders.forms import delivery_choice, idempotency_key, requested_lines
from backend.orders.models import Actor, OrderRejected, PlaceOrder
from backend.orders.status import status_label
from backend.parcels.tracking import tracking
from backend.ratelimit.limiter import limited
from backend.web.deps import DB, local_today, provide_viewer
from backend.web.templating import is_fragment_request, render, see_other
from backend.web.input import PathId

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
# On an order the server refuses: the translated reason, percent-encoded (UTF-8). The service
# worker replays orders kept while offline and has no HTML parser; this header tells it the
# order was refused (not a passing fault) and what to tell the citizen (pwa/static/sw/outbox.js).
REFUSAL_HEADER = "X-Order-Refused"


def refused(response: Response, exc: OrderRejected) -> Response:
    response.headers[REFUSAL_HEADER] = quote(exc.message, safe="")
    return response


class OrderController(Controller):
    path = "/orders"
    opt = {"access": "citizen"}  # see backend/web/access.py
    dependencies = {"viewer": Provide(provide_viewer, sync_to_thread=False)}

    async def _new_order_page(self, request: Request, db: DB, viewer: Viewer, *, form: dict[str, Any] | None = None,
                              error: OrderRejected | None = None, block: str | None = "content") -> Response:
        """The custom order form: per grant what may be ordered now (grants.availability, as the home page)."""
        today = local_today()
        loaded = await load_citizen_grants(db, viewer.citizen_id, today)
        gate = loaded.available.gate
        return render(request, "order_new.html", {
            "citizen": loaded.citizen, "lines": loaded.orderable(), "form": form or {}, "error": error,
            "gate_reason": loaded.available.refusal() if gate is not Reason.OK else "",
            "pickup_points": await queries.select_pickup_points(db),
            "temporary": await queries.select_temporary_address(db, viewer.citizen_id, today),
            "idempotency_key": (form or {}).get("idempotency_key") or uuid.uuid4(),
        }, status_code=error.status_code if error else 200, block=block)

    @get("/new", name="order_new", opt={"scope": "order"})
    async def new_order(self, request: Request, db: DB, viewer: NamedDependency[Viewer]) -> Response:
        return await self._new_order_page(request, db, viewer)

    @post("/new/check", name="order_check", opt={"scope": "order"}, guards=[limited("order_check")])
    async def check_order(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                          data: Annotated[dict[str, Any], FORM]) -> Response:
        """Live validation of the custom order form (htmx): re-render the check area with the error the
        order itself would give (the same grants, the same rule, without its locks)."""
        error = None
        try:
            lines = requested_lines(data)
            delivery_choice(data)
            _citizen, available = await availability.load(db, viewer.citizen_id, local_today(),
                                                          sorted({line.grant_id for line in lines}))
            service.check_lines(lines, available)
        except OrderRejected as exc:
            error = exc
        if not is_fragment_request(request):  # a plain form post (no JavaScript): the whole page
            return await self._new_order_page(request, db, viewer, form=data, error=error, block=None)
        # An htmx swap (status 200): the error is shown inline; only the check area is rendered.
        return render(request, "order_new.html", {"error": error}, block="basket")

    @post("/", name="order_place", opt={"scope": "order"})
    async def place(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                    data: Annotated[dict[str, Any], FORM]) -> Response:
        try:
            placed = await service.place_order(db, PlaceOrder(
                citizen_id=viewer.citizen_id, key=idempotency_key(request, data),
                actor=Actor(*viewer.actor), lines=requested_lines(data),
                delivery=delivery_choice(data)), local_today())
        except OrderRejected as exc:
            return refused(await self._new_order_page(request, db, viewer, form=data, error=exc, block=None), exc)
        return see_other(request, f"/orders/{placed.order_id}")

    @post("/reorder", name="order_reorder", opt={"scope": "order"})
    async def reorder(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                      data: Annotated[dict[str, Any], FORM]) -> Response:
        """One tap: the usual basket, the standing delivery choice, no confirmation step."""
        try:
            placed = await service.place_order(db, PlaceOrder(
                citizen_id=viewer.citizen_id, key=idempotency_key(request, data),
                actor=Actor(*viewer.actor)), local_today())
        except OrderRejected as exc:
            return refused(render(request, "error.html", {"title": _("The order could not be placed"),
                                                          "message": exc.message},
                                  status_code=exc.status_code, block=None), exc)
        return see_other(request, f"/orders/{placed.order_id}")

    @get("/", name="orders", opt={"scope": "view"})
    async def history(self, request: Request, db: DB, viewer: NamedDependency[Viewer]) -> Response:
        orders = await queries.select_orders(db, viewer.citizen_id)
        return render(request, "orders.html", {"orders": orders, "status_label": status_label})

    async def _order_page(self, request: Request, db: DB, viewer: Viewer, order_id: int) -> Response:
        order = await queries.select_order(db, viewer.citizen_id, order_id)
        if order is None:
            raise NotFoundException()
        lines = await queries.select_order_lines(db, order_id)
        return render(request, "order.html", {
            "order": order, "lines": lines, "units": {line["grant_id"]: line["unit"] for line in lines},
            "manufacturers": len({line["manufacturer"] for line in lines}), "status_label": status_label,
            **await tracking(db, order),
        }, block="tracking")

    @get("/{order_id:int}", name="order", opt={"scope": "view"})
    async def detail(self, request: Request, db: DB, viewer: NamedDependency[Viewer], order_id: PathId) -> Response:
        return await self._order_page(request, db, viewer, order_id)

    @post("/{order_id:int}/backorder", name="order_backorder", opt={"scope": "order"})
    async def backorder(self, request: Request, db: DB, viewer: NamedDependency[Viewer], order_id: PathId,
                        data: Annotated[dict[str, Any], FORM]) -> Response:
        try:
            await service.decide_backorder(db, viewer.citizen_id, order_id, str(data.get("decision", "")),
                                           Actor(*viewer.actor))
        except OrderRejected as exc:
            if exc.status_code == 404:
                raise NotFoundException() from None
            return see_other(request, f"/orders/{order_id}", message=exc.message)
        return see_other(request, f"/orders/{order_id}")

    @post("/{order_id:int}/cancel", name="order_cancel", opt={"scope": "order"})
    async def cancel(self, request: Request, db: DB, viewer: NamedDependency[Viewer], order_id: PathId) -> Response:
        try:
            await cancelling.request_cancel(db, viewer.citizen_id, order_id, Actor(*viewer.actor))
        except OrderRejected as exc:
            if exc.status_code == 404:
                raise NotFoundException() from None
            return see_other(request, f"/orders/{order_id}", message=exc.message)
        return see_other(request, f"/orders/{order_id}")

    @get("/{order_id:int}/cancel", name="order_cancel_confirm", opt={"scope": "order"})
    async def cancel_confirm(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                             order_id: PathId) -> Response:
        """"Do you want to cancel?" (works without JavaScript); an order that can no longer be
        cancelled goes back to its receipt."""
        order = await queries.select_order(db, viewer.citizen_id, order_id)
        if order is None:
            raise NotFoundException()
        if not cancellable(order, await select_parcels(db, order_id)):
            return Redirect(f"/orders/{order_id}", status_code=303)
        lines = await queries.select_order_lines(db, order_id)
        return render(request, "confirm.html", {
            "title": _("Cancel order %(number)s?") % {"number": order_id},
            "details": [ngettext("%(num)s pack", "%(num)s packs", line["packs"]) % {"num": line["packs"]}
                        + " " + line["name"] for line in lines],
            "note": _("Nothing will be sent, and you can order the products again later."),
            "action": f"/orders/{order_id}/cancel", "yes": _("Yes, cancel the order"),
            "back": f"/orders/{order_id}", "no": _("No, keep the order"),
        })

    # POST-only URLs can end up in the address bar (a reload, a shared link, an old bookmark):
    # a GET there goes to the page the form belongs to instead of "page not found".

    @get("/{order_id:int}/backorder", name="order_backorder_get", opt={"scope": "order"})
    async def backorder_get(self, order_id: PathId) -> Redirect:
        return Redirect(f"/orders/{order_id}", status_code=303)

    @get("/reorder", name="order_reorder_get", opt={"scope": "order"})
    async def reorder_get(self) -> Redirect:
        return Redirect("/", status_code=303)

    @get("/new/check", name="order_check_get", opt={"scope": "order"})
    async def check_get(self) -> Redirect:
        return Redirect("/orders/new", status_code=303)
