""""Mine hjælpere": the citizen invites helpers, changes what they may do, revokes, withdraws.

For the citizen themself only (no helper scope is declared: a helper is refused, backend/web/access.py).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body

from backend.auth.models import Viewer
from backend.powers import queries, service
from backend.powers.rules import PowerRefused, helper_name, parse_scopes, scope_labels
from backend.i18n import gettext as _
from backend.ratelimit.limiter import limited
from backend.web.deps import DB, provide_viewer
from backend.web.input import PathId
from backend.web.templating import render, see_other

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


def form_scopes(data: dict[str, Any]) -> Any:
    """The checked "scope" boxes: one value, a list of several, or nothing."""
    return data.get("scope")


class HelpersController(Controller):
    path = "/hjaelpere"
    opt = {"access": "citizen"}  # no scope: the citizen themself, never a helper (see backend/web/access.py)
    dependencies = {"viewer": Provide(provide_viewer, sync_to_thread=False)}

    async def _page(self, request: Request, db: DB, viewer: Viewer, *, error: str | None = None,
                    form: dict[str, Any] | None = None, status_code: int = 200) -> Response:
        return render(request, "powers/helpers.html", {
            "powers": await queries.select_powers_of_citizen(db, viewer.citizen_id),
            "invitations": await queries.select_open_invitations(db, viewer.citizen_id),
            "scope_labels": scope_labels(), "error": error, "form": form or {},
        }, status_code=status_code)

    @get("/", name="helpers")
    async def helpers(self, request: Request, db: DB, viewer: NamedDependency[Viewer]) -> Response:
        return await self._page(request, db, viewer)

    @post("/invitations", name="helper_invite", guards=[limited("power_code")])  # no flood of open codes
    async def invite(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                     data: Annotated[dict[str, Any], FORM]) -> Response:
        try:
            name = helper_name(data.get("helper_name"))
            invitation = await service.invite(db, request.app.state.settings.secret_key, viewer, name,
                                              parse_scopes(form_scopes(data)))
        except PowerRefused as refused:
            return await self._page(request, db, viewer, error=refused.message, form=data,
                                    status_code=refused.status_code)
        base = (request.app.state.settings.public_url or str(request.base_url)).rstrip("/")
        return render(request, "powers/invited.html", {
            "invitation": invitation, "link": f"{base}/fuldmagt?t={invitation.token}", "scope_labels": scope_labels(),
        }, status_code=201)

    @post("/invitations/{invitation_id:int}/withdraw", name="helper_invitation_withdraw")
    async def withdraw(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                       invitation_id: PathId) -> Response:
        try:
            await service.withdraw(db, viewer, invitation_id)
        except PowerRefused as refused:
            return see_other(request, "/hjaelpere", message=refused.message)
        return see_other(request, "/hjaelpere", message=_("The invitation is withdrawn."), level="success")

    @post("/{power_id:int}/scopes", name="helper_scopes")
    async def change_scopes(self, request: Request, db: DB, viewer: NamedDependency[Viewer], power_id: PathId,
                            data: Annotated[dict[str, Any], FORM]) -> Response:
        try:
            await service.change_scopes(db, viewer, power_id, parse_scopes(form_scopes(data)))
        except PowerRefused as refused:
            return await self._page(request, db, viewer, error=refused.message, status_code=refused.status_code)
        return see_other(request, "/hjaelpere", message=_("The changes are saved."), level="success")

    @post("/{power_id:int}/revoke", name="helper_revoke")
    async def revoke(self, request: Request, db: DB, viewer: NamedDependency[Viewer], power_id: PathId) -> Response:
        try:
            await service.revoke(db, viewer.citizen_id, power_id, viewer.actor)
        except PowerRefused as refused:
            return await self._page(request, db, viewer, error=refused.message, status_code=refused.status_code)
        return see_other(request, "/hjaelpere", message=_("The power of attorney is revoked. The helper can no "
                                                          "longer see or do anything for you."), level="success")
