"""The grant intake API for municipal case systems and hospital discharge: /api/v1/grants.

Authenticated per authority with an API key (access kind "api": backend/web/access.py). Create is
idempotent by the authority's own reference; change and end address a grant by that reference.
Every refusal is an RFC 9457 problem document and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Request, Response, get, patch, post
from litestar.exceptions import ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example, Operation
from litestar.params import FromPath, JSONBody

from backend.intake import examples
from backend.intake.api_keys import ApiClient
from backend.intake.apply import Actor
from backend.intake.models import (FieldError, GrantChange, GrantCreate, GrantEnd, GrantOut, Problem,
                                   line_from_change, line_from_create, line_from_end)
from backend.intake.problems import PROBLEM, ApiProblem, line_problem, problem_response
from backend.intake.service import grant_by_id, grant_by_reference, run_batch
from backend.ratelimit.limiter import enforce


def _with_examples(named: dict[str, dict]) -> type[Operation]:
    """An operation class that lists ``named`` example bodies beside the generated schema (litestar's
    own ``Body(examples=…)`` merges several examples into one mixed object)."""

    @dataclass
    class WithExamples(Operation):
        def __post_init__(self) -> None:
            if self.request_body is not None:
                for media in (self.request_body.content or {}).values():
                    media.examples = {name: Example(summary=name, value=value) for name, value in named.items()}

    return WithExamples


def _problem_spec(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, description=description, media_type=PROBLEM, generate_examples=False,
                        examples=[Example(summary="problem", value=examples.PROBLEM)] if "422" in description else None)


PROBLEMS = {
    401: _problem_spec("No API key, or an unknown or revoked one"),
    403: _problem_spec("The key's authority may not do this (another authority's code, or a citizen of a "
                       "municipality it does not grant for)"),
    404: _problem_spec("No grant with this reference from this authority"),
    409: _problem_spec("Conflict: the reference exists with other content, or the hand-over overlaps"),
    422: _problem_spec("422: malformed body or bad values; `errors` lists every field"),
    429: _problem_spec("Too many requests for this key: wait `Retry-After` seconds"),
}


def validation_problem(_request: Request, exc: ValidationException) -> Response:
    """litestar's body validation (wrong JSON types, unknown fields) as a problem document."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = [FieldError(str(e.get("key") or "body"), "bad_value", str(e.get("message", ""))) for e in extra
              if isinstance(e, dict)]
    return problem_response(_request, ApiProblem(422, "invalid-grant", "The request body does not match the schema.",
                                                 errors or [FieldError("body", "bad_value", str(exc.detail))]))


def _client(request: Request) -> ApiClient:
    return request.scope["state"]["api_client"]


def _own_authority(client: ApiClient, code: int | None) -> None:
    if code is not None and code != client.authority.code:
        raise ApiProblem(403, "forbidden", "The authority in the request is not the one the key belongs to.",
                         [FieldError("authority_code", "wrong_authority",
                                     "The authority in the request is not the one the key belongs to.")])


async def _run(request: Request, line) -> tuple[int, str]:
    """Check and write one command for the key's authority; the grant id and what happened."""
    client = _client(request)
    async with request.app.state.pool.acquire() as conn:
        await enforce(request, "grant_intake", account=f"apikey:{client.key_id}", conn=conn)
        plan, outcome = await run_batch(conn, client.authority, [line], cpr_key=request.app.state.settings.cpr_key,
                                        actor=Actor("authority", client.key_id, "api"))
    if outcome is None:
        raise line_problem(plan.bad_lines[0])
    return outcome.grants[line.number]


async def _answer(request: Request, grant_id: int, status_code: int, replayed: bool = False) -> Response[GrantOut]:
    async with request.app.state.pool.acquire() as conn:
        grant = await grant_by_id(conn, grant_id)
    headers = {"Location": f"/api/v1/grants/{grant.reference}"} | ({"Idempotent-Replayed": "true"} if replayed else {})
    return Response(grant, status_code=status_code, headers=headers)


class GrantIntakeController(Controller):
    path = "/api/v1/grants"
    tags = ["grants"]
    opt = {"access": "api"}  # Authorization: Bearer <the authority's API key>
    security = [{"authorityKey": []}]
    exception_handlers = {ApiProblem: problem_response, ValidationException: validation_problem}

    @post("/", summary="Create a grant (idempotent by your reference)", status_code=201, responses=PROBLEMS,
          description=(
              "The citizen is matched by CPR (created when new; name, address and phone updated). A region's "
              "grant is a discharge grant: it pays the first period, for a citizen of one of its municipalities. "
              "A municipality's grant for the same product takes over from its `valid_from`: the discharge "
              "grant then ends the day before. Sending the same reference and content again answers the same "
              "(header `Idempotent-Replayed: true`, nothing new is written); other content under a used "
              "reference is a 409."),
          operation_class=_with_examples({"Discharge grant from a region": examples.DISCHARGE,
                                          "The municipality's follow-on grant": examples.MUNICIPAL}))
    async def create_grant(self, request: Request, data: JSONBody[GrantCreate]) -> Response[GrantOut]:
        _own_authority(_client(request), data.authority_code)
        line = line_from_create(data)
        grant_id, status = await _run(request, line)
        return await _answer(request, grant_id, 201, replayed=status == "replayed")

    @get("/{reference:str}", summary="Read a grant by your reference", responses=PROBLEMS)
    async def read_grant(self, request: Request, reference: FromPath[str]) -> Response[GrantOut]:
        async with request.app.state.pool.acquire() as conn:
            grant = await grant_by_reference(conn, _client(request).authority.id, reference)
        if grant is None:
            raise ApiProblem(404, "not-found", "There is no grant with this reference from this authority.")
        return Response(grant)

    @patch("/{reference:str}", summary="Change a grant's quantity or last day", status_code=200, responses=PROBLEMS,
           description="Only the quantity per period and the last valid day change; to change the product or the "
                       "start, end the grant and create a new one. The same change again changes nothing.",
           operation_class=_with_examples({"More per period": examples.CHANGE}))
    async def change_grant(self, request: Request, reference: FromPath[str], data: JSONBody[GrantChange]) -> Response[GrantOut]:
        _own_authority(_client(request), data.authority_code)
        grant_id, _status = await _run(request, line_from_change(reference, data))
        return await _answer(request, grant_id, 200)

    @post("/{reference:str}/end", summary="End a grant on a date", status_code=200, responses=PROBLEMS,
          description="Sets the last valid day (inclusive). Refused when orders already draw on a later period.",
          operation_class=_with_examples({"End on a date": examples.END}))
    async def end_grant(self, request: Request, reference: FromPath[str], data: JSONBody[GrantEnd]) -> Response[GrantOut]:
        _own_authority(_client(request), data.authority_code)
        grant_id, _status = await _run(request, line_from_end(reference, data))
        return await _answer(request, grant_id, 200)
