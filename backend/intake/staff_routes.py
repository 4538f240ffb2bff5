"""FSC staff pages of the grant intake: the authorities' API keys, the CSV upload, and the
discharge grants that end soon with no follow-on grant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.params import Body

from backend.casework.service import NotYours, refuse_foreign
from backend.grants.handover import HANDOVER_WARNING_DAYS, ending_discharge_grants
from backend.i18n import gettext as _
from backend.intake import api_keys
from backend.intake.apply import Actor
from backend.intake.csv_import import COLUMNS, import_grants
from backend.intake.service import authority_by_id
from backend.staff.guards import provide_staff
from backend.staff.models import StaffViewer
from backend.staff.queries import log_staff_event
from backend.web.deps import DB
from backend.web.input import SmallPathId
from backend.web.openapi_bodies import FORM, body_operation, text_fields
from backend.web.templating import render, see_other

KEYS_PAGE = "/fsc/api-keys"
IMPORT_PAGE = "/fsc/grants/import"
HANDOVER_PAGE = "/fsc/grants/handovers"
URL_FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
MAX_LABEL = 100


async def authority_choices(db) -> list:
    """Regions first, then municipalities, by name."""
    return await db.fetch("SELECT id, name, kind, code FROM authority ORDER BY kind = 'municipality', name")


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else None


class ApiKeysController(Controller):
    path = KEYS_PAGE
    opt = {"access": "supervisor"}
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    async def _page(self, request: Request, db: DB, *, new_token: str = "", errors: dict[str, str] | None = None,
                    status_code: int = 200) -> Response:
        return render(request, "staff/api_keys.html", {
            "keys": await api_keys.select_keys(db), "authorities": await authority_choices(db),
            "new_token": new_token, "errors": errors or {},
        }, status_code=status_code, block=None, headers={"Cache-Control": "no-store"})

    @get("/", name="staff_api_keys")
    async def list_keys(self, request: Request, db: DB) -> Response:
        return await self._page(request, db)

    @post("/", name="staff_api_key_create", operation_class=body_operation(FORM, text_fields("authority_id", "label")))
    async def create_key(self, request: Request, db: DB, staff: NamedDependency[StaffViewer]) -> Response:
        form = await request.form()
        label = str(form.get("label", "")).strip()
        authority = await authority_by_id(db, _int(form.get("authority_id")) or 0)
        errors = {}
        if authority is None:
            errors["authority_id"] = _("Choose the authority the key is for.")
        if not label:
            errors["label"] = _("Write what the key is for, e.g. the case system's name.")
        elif len(label) > MAX_LABEL:
            errors["label"] = _("Write at most 100 characters.")
        if errors:
            return await self._page(request, db, errors=errors, status_code=422)
        _key_id, token = await api_keys.create_key(db, authority.id, label, staff.staff_id)
        # Shown in this answer only (never stored in clear, never in a redirect or a cookie).
        return await self._page(request, db, new_token=token, status_code=201)

    @post("/{key_id:int}/revoke", name="staff_api_key_revoke")
    async def revoke_key(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                         key_id: SmallPathId) -> Response:
        if await api_keys.revoke_key(db, key_id, staff.staff_id):
            return see_other(request, KEYS_PAGE, message=_("The key is revoked. Requests with it are refused from now on."),
                             level="success")
        return see_other(request, KEYS_PAGE, message=_("The key was already revoked."))


@dataclass
class ImportForm:
    authority_id: str = ""
    file: UploadFile | None = None


class GrantImportController(Controller):
    """The CSV upload: an FSC supervisor chooses the authority; a caseworker imports for their own
    authority only (no choice shown; an ``authority_id`` for another one is refused and logged)."""

    path = IMPORT_PAGE
    opt = {"access": "supervisor_or_caseworker"}  # see backend/web/access.py
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    async def _page(self, request: Request, db: DB, staff: StaffViewer, status_code: int = 200, **values) -> Response:
        authorities = [] if staff.is_caseworker else await authority_choices(db)
        return render(request, "staff/grant_import.html", {
            "authorities": authorities, "columns": ";".join(COLUMNS),
            "max_mb": f"{request.app.state.settings.grant_import_max_bytes / 1_000_000:g}",
            "report": None, "chosen": None, "errors": {}} | values, status_code=status_code, block=None)

    @get("/", name="staff_grant_import")
    async def form(self, request: Request, db: DB, staff: NamedDependency[StaffViewer]) -> Response:
        return await self._page(request, db, staff)

    async def _authority_id(self, db, staff: StaffViewer, asked: str) -> int | None:
        """The authority the upload is for: a caseworker's own (another one asked for is refused and
        logged; nothing is imported), else the supervisor's choice."""
        if not staff.is_caseworker:
            return _int(asked)
        if asked and _int(asked) != staff.authority_id:
            try:
                await refuse_foreign(db, staff, view="grant_import", citizen_id=None, asked_authority=asked[:20])
            except NotYours:
                raise PermissionDeniedException() from None
        return staff.authority_id

    @post("/", name="staff_grant_import_upload", request_max_body_size=None)
    async def upload(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                     data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)]) -> Response:
        settings = request.app.state.settings
        authority_id = await self._authority_id(db, staff, data.authority_id)
        authority = await authority_by_id(db, authority_id or 0)
        upload = data.file
        errors = {}
        if authority is None:
            errors["authority_id"] = _("Choose the authority the grants are from.")
        if not isinstance(upload, UploadFile):
            errors["file"] = _("Choose a CSV file.")
        if errors:
            return await self._page(request, db, staff, status_code=422, errors=errors, chosen=authority_id)
        report = await import_grants(db, authority, await upload.read(), cpr_key=settings.cpr_key,
                                     actor=Actor("staff", staff.staff_id, "csv"),
                                     max_bytes=settings.grant_import_max_bytes)
        if report.ok:
            await log_staff_event(db, staff.staff_id, "grants_imported",
                                  detail={"authority_code": authority.code, "lines": report.lines})
        return await self._page(request, db, staff, status_code=200 if report.ok else 422, report=report,
                                chosen=authority.id)


class HandoverController(Controller):
    path = HANDOVER_PAGE
    opt = {"access": "staff"}  # advisors and supervisors: FSC is warned too (issue 16 item 2)
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    @get("/", name="staff_handovers")
    async def list_ending(self, request: Request, db: DB, staff: NamedDependency[StaffViewer]) -> Response:
        rows = await ending_discharge_grants(db)
        await log_staff_event(db, staff.staff_id, "staff_viewed_handovers", detail={"count": len(rows)})
        return render(request, "staff/handovers.html", {"grants": rows, "days": HANDOVER_WARNING_DAYS}, block=None)


INTAKE_STAFF_CONTROLLERS = (ApiKeysController, GrantImportController, HandoverController)
