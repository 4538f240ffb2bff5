"""RFC 9457 problem details for the intake API (application/problem+json)."""

from __future__ import annotations

from litestar import Request, Response
from litestar.exceptions import HTTPException

from backend.intake.messages import reason_text
from backend.intake.models import FieldError, Line, Problem

PROBLEM = "application/problem+json"
TYPE_BASE = "urn:faelles-bestilling:problem:"
TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
          413: "Content Too Large", 422: "Unprocessable Content", 429: "Too Many Requests"}

# Which status a refused line answers with: who may do it first, then whether it exists, then conflicts.
_STATUS_OF_CODE = {"wrong_authority": 403, "not_your_citizen": 403, "unknown_reference": 404,
                   "reference_conflict": 409, "handover_overlap": 409, "moved_citizen": 409,
                   "ended_before_orders": 409, "repeated_reference": 409}
_SLUG = {403: "forbidden", 404: "not-found", 409: "conflict", 422: "invalid-grant"}


class ApiProblem(HTTPException):
    """Raised anywhere in an API request: answered as the problem document it carries."""

    def __init__(self, status: int, slug: str, detail: str, errors: list[FieldError] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail=detail, status_code=status, headers=headers)
        self.problem = Problem(type=TYPE_BASE + slug, title=TITLES.get(status, "Error"), status=status,
                               detail=detail, errors=errors or [])


def problem_response(_request: Request, exc: ApiProblem) -> Response:
    return Response(exc.problem, status_code=exc.problem.status, media_type=PROBLEM, headers=exc.headers)


def field_errors(line: Line) -> list[FieldError]:
    return [FieldError(field, code, reason_text(code, values)) for field, code, values in line.errors]


def line_problem(line: Line) -> ApiProblem:
    """The problem for a refused API request (one line): the most telling status of its errors."""
    statuses = [_STATUS_OF_CODE.get(code, 422) for _, code, _ in line.errors]
    status = next(s for s in (403, 404, 409, 422) if s in statuses)
    errors = field_errors(line)
    detail = " ".join(e.detail for e in errors)
    return ApiProblem(status, _SLUG[status], detail, errors)
