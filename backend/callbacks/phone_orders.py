"""Order by phone: an advisor places an order for the citizen on the call they have taken,
through the same rules and exactly-once keys as the citizen's own one tap; the order records
the advisor as the actor. The same for a booked callback and an inbound call."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body

from backend.callbacks.call_view import call_page
from backend.i18n import gettext as _
from backend.orders import service
from backend.orders.forms import delivery_choice, idempotency_key, requested_lines
from backend.orders.models import Actor, OrderRejected, PlaceOrder
from backend.callbacks import staff_queries as cq
from backend.staff.guards import provide_staff, staff_required
from backend.staff.models import StaffViewer
from backend.web.deps import DB, local_today
from backend.web.templating import see_other
from backend.web.input import PathId

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class PhoneOrderController(Controller):
    path = "/fsc/callbacks"
    opt = {"access": "staff"}  # see backend/web/access.py
    guards = [staff_required("advisor", "supervisor")]  # and only these roles (not a later caseworker role)
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    @post("/{callback_id:int}/order", name="staff_phone_order")
    async def place(self, request: Request, db: DB, staff: NamedDependency[StaffViewer], callback_id: PathId,
                    data: Annotated[dict[str, Any], FORM]) -> Response:
        callback = await cq.select_callback(db, callback_id)
        if callback is None:
            raise NotFoundException()
        try:
            if callback["status"] != "in_progress" or callback["claimed_by"] != staff.staff_id:
                raise OrderRejected(_("Take the request before you order for the citizen."), status_code=409)
            placed = await service.place_order(db, PlaceOrder(
                citizen_id=callback["citizen_id"], key=idempotency_key(request, data),
                actor=Actor("staff", staff.staff_id), lines=requested_lines(data), delivery=delivery_choice(data),
            ), local_today())
        except OrderRejected as exc:
            return await call_page(request, db, staff, callback_id, order_form=data, order_error=exc)
        return see_other(request, f"/fsc/callbacks/{callback_id}?order={placed.order_id}#order-by-phone")
