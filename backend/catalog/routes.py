"""The shared catalogue: product pictures for the grant cards (public: a product's picture says
nothing about anyone) and the supervisors' upload of the tender's product list (/fsc/catalogue)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException

from backend.catalog import catalogue_queries
from backend.catalog.catalogue_import import ImportRefused, import_catalogue, refusal_texts
from backend.catalog.csv_rows import HEADER, MAX_FILE_BYTES
from backend.catalog.labels import area_label
from backend.i18n import gettext as _
from backend.staff.guards import provide_staff
from backend.staff.models import StaffViewer
from backend.web.deps import DB, local_today
from backend.web.input import SmallPathId
from backend.web.input_limits import UPLOAD_LIMITS
from backend.web.templating import render, see_other

PAGE = "/fsc/catalogue"
# The URL carries the picture's version (?v=etag): a new picture is a new URL, so this one never changes.
PICTURE_CACHE = "public, max-age=31536000, immutable"


@get("/products/{product_id:int}/picture", name="product_picture", include_in_schema=False,
     opt={"access": "public"})
async def product_picture(request: Request, db: DB, product_id: SmallPathId) -> Response:
    picture = await catalogue_queries.select_picture(db, product_id)
    if picture is None:
        raise NotFoundException()
    etag = f'"{picture["etag"]}"'
    headers = {"Cache-Control": PICTURE_CACHE, "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(b"", status_code=304, headers=headers)
    return Response(bytes(picture["data"]), media_type=picture["media_type"], headers=headers)


class CatalogueController(Controller):
    path = PAGE
    opt = {"access": "supervisor"}
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    async def _page(self, request: Request, db: DB, *, summary: str = "", errors: list | None = None,
                    status_code: int = 200) -> Response:
        return render(request, "staff/catalogue.html", {
            "areas": [(area_label(r["area_code"]), r["products"], r["in_range"], r["pictures"])
                      for r in await catalogue_queries.select_area_counts(db, local_today())],
            "leaving": await catalogue_queries.select_leaving(db, local_today()),
            "columns": HEADER, "max_mb": MAX_FILE_BYTES // (1024 * 1024),
            "summary": summary, "errors": errors or [],
        }, status_code=status_code, block=None)

    @get("/", name="staff_catalogue")
    async def show(self, request: Request, db: DB) -> Response:
        return await self._page(request, db)

    @post("/", name="staff_catalogue_import", request_max_body_size=UPLOAD_LIMITS[PAGE])
    async def upload(self, request: Request, db: DB, staff: NamedDependency[StaffViewer]) -> Response:
        form = await request.form()
        csv_file = form.get("file")
        if not isinstance(csv_file, UploadFile) or not csv_file.filename:
            return await self._page(request, db, summary=_("Choose the CSV file with the product list."),
                                    status_code=422)
        pictures = {}
        for upload in form.getall("pictures", []):
            if isinstance(upload, UploadFile) and upload.filename:
                pictures[upload.filename.rsplit("/", 1)[-1]] = await upload.read()
        try:
            result = await import_catalogue(db, await csv_file.read(), pictures.get, local_today(),
                                            actor=("staff", staff.staff_id))
        except ImportRefused as refused:
            summary, lines = refusal_texts(refused)
            return await self._page(request, db, summary=summary, errors=lines, status_code=422)
        return see_other(request, PAGE, level="success", message=_(
            "The product list is imported: %(added)s new, %(updated)s updated, %(pictures)s pictures.")
            % {"added": result.added, "updated": result.updated, "pictures": result.pictures})
