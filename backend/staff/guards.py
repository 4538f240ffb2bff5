"""Guards for /fsc/…: deny by default; a citizen session is refused (403), not logged in as staff."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from backend.auth.sessions import SESSION_COOKIE
from backend.staff.models import FSC_ROLES, StaffViewer
from backend.web.deps import DB


def current_staff(connection: ASGIConnection) -> StaffViewer | None:
    return connection.scope.get("state", {}).get("staff")


def staff_required(*roles: str) -> Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]:
    """Guard: a staff member with one of ``roles`` (default: any FSC role, advisor or supervisor;
    a caseworker only where named, so the advisor pages stay closed to them by default) must be signed in.

    No staff session: a citizen (session cookie present) gets 403; anybody else is sent to the
    staff login page (NotAuthorizedException; see backend/web/errors.py).
    """
    allowed = roles or FSC_ROLES

    # async: litestar runs a plain function guard in a worker thread (a thread hop per request).
    async def guard(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
        staff = current_staff(connection)
        if staff is None:
            if connection.scope.get("state", {}).get("viewer") is not None or SESSION_COOKIE in connection.cookies:
                raise PermissionDeniedException()
            raise NotAuthorizedException()
        if staff.role not in allowed:
            raise PermissionDeniedException()

    return guard


def provide_staff(request: ASGIConnection, db: DB) -> StaffViewer:  # noqa: ARG001
    """The signed-in staff member (``db`` only orders the resolution, see web.deps.provide_viewer)."""
    staff = current_staff(request)
    if staff is None:
        raise NotAuthorizedException()
    return staff
