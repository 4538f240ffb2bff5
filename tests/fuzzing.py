"""Generated-input run against the app's OpenAPI schema (schemathesis), shared by the test suite
(tests/integration/test_fuzz.py, a few cases per operation) and the full run (bench/fuzz.py).

Real HTTP through the ASGI app, four identities: anonymous, a signed-in citizen, a supervisor and
the warehouse partner (the webhook only, every body signed the way the partner signs it: a
``requests`` auth hook signs the exact bytes schemathesis is about to send). The one check is
"not a server error": any 5xx is counted and kept (method, path, status, the request) for the
report. Cases are valid (positive) and invalid (negative) inputs from the schema.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import hypothesis
import re
import time
from collections import Counter

import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.python import asgi

from backend.warehouse.signing import signature_headers

WEBHOOK_PATH = "/api/v1/warehouse/events"
SCHEMA_PATH = "/api/docs/openapi.json"


class PartnerSignature(requests.auth.AuthBase):
    """Signs each generated webhook request over its final body (the partner's HMAC headers)."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        request.headers.update(signature_headers(self.secret, body))
        return request


@dataclass
class Identity:
    name: str
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    auth: requests.auth.AuthBase | None = None
    only_path: str | None = None  # the partner may call the webhook only


@dataclass
class Tally:
    cases: int = 0
    server_errors: int = 0
    examples: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)


def page_token(client: requests.Session, path: str, cookies: dict[str, str] | None = None) -> str:
    """The CSRF token a page carries (its htmx headers), read as a browser would."""
    page = client.get(path, cookies=cookies, allow_redirects=False)
    found = re.search(r'"x-csrftoken": "([^"]*)"', page.text)
    assert found, (path, page.status_code)
    return found.group(1)


def _login(client: requests.Session, form_path: str, field_name: str, value: int, home: str) -> dict:
    """Sign in through the demo login like a browser; the cookies and the session's CSRF header."""
    client.cookies.clear()
    token = page_token(client, form_path.removesuffix("/demo"))
    response = client.post(form_path, data={field_name: str(value), "_csrf_token": token}, allow_redirects=False)
    assert response.status_code == 303, (response.status_code, response.text[:300])
    cookies = dict(client.cookies)
    client.cookies.clear()
    page = client.get(home, cookies=cookies, allow_redirects=False)
    assert page.status_code == 200, (home, page.status_code)  # really signed in
    return {"cookies": cookies, "headers": {"x-csrftoken": page_token(client, home, cookies)}}


def identities(client: requests.Session, citizen_id: int, supervisor_id: int, warehouse_secret: str) -> list[Identity]:
    citizen = _login(client, "/login/demo", "citizen_id", citizen_id, "/orders")
    supervisor = _login(client, "/fsc/login/demo", "staff_id", supervisor_id, "/fsc/queue")
    anonymous_token = page_token(client, "/login")  # a valid token without a session
    anonymous_cookies = dict(client.cookies)
    client.cookies.clear()
    return [
        Identity("anonymous", anonymous_cookies, {"x-csrftoken": anonymous_token}),
        Identity("citizen", **citizen),
        Identity("supervisor", **supervisor),
        Identity("partner", auth=PartnerSignature(warehouse_secret), only_path=WEBHOOK_PATH),
    ]


def run(app, client: asgi.ASGIClient, who: list[Identity], examples_per_operation: int, *, seed: int | None = 0,
        partner_factor: int = 20, on_case: Callable[[str, int], None] | None = None) -> dict[str, Tally]:
    """Generate and send cases for every operation as every identity; the tally per identity.
    ``client`` is ``schemathesis.python.asgi.get_client(app)`` entered (the app's lifespan runs).
    The partner has one operation: it gets ``partner_factor`` times the examples, to carry its share."""
    schema = schemathesis.openapi.from_asgi(SCHEMA_PATH, app)
    tallies = {identity.name: Tally() for identity in who}
    # Logging in or out ends the identity's session: those operations go last.
    operations = sorted((result.ok() for result in schema.get_all_operations()),
                        key=lambda op: op.path.endswith(("/login/demo", "/logout")))
    for identity in who:
        tally = tallies[identity.name]
        for operation in operations:
            if identity.only_path and operation.path != identity.only_path:
                continue
            started = time.monotonic()
            examples = examples_per_operation * (partner_factor if identity.only_path else 1)
            for mode in _modes(operation):
                _run_operation(operation, mode, identity, client, tally, examples, seed)
            tally.seconds[f"{operation.method.upper()} {operation.path}"] = round(time.monotonic() - started, 2)
            if on_case:
                on_case(identity.name, tally.cases)
    return tallies


def _modes(operation) -> tuple[GenerationMode, ...]:
    """Invalid (negative) cases only where schemathesis can send them: it mutates a form body into
    non-objects that cannot be form-encoded and rejects each (seconds per operation for nothing).
    Valid form cases already carry arbitrary text (NUL, Unicode digits, huge numbers) in every field."""
    forms = [body for body in operation.body if body.media_type == "application/x-www-form-urlencoded"]
    return (GenerationMode.POSITIVE,) if forms else (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def _run_operation(operation, mode, identity: Identity, client, tally: Tally, examples: int, seed: int | None) -> None:
    try:
        strategy = operation.as_strategy(generation_mode=mode)
    except Exception:  # noqa: BLE001 - an operation with nothing to break in this mode (e.g. no parameters)
        return

    @hypothesis.settings(max_examples=examples, deadline=None, database=None, derandomize=seed is not None,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
                         verbosity=hypothesis.Verbosity.quiet)
    @hypothesis.given(case=strategy)
    def one(case) -> None:
        response = case.call(session=client, cookies=identity.cookies, headers=identity.headers,
                             auth=identity.auth, allow_redirects=False)
        tally.cases += 1
        tally.statuses[response.status_code] += 1
        if response.status_code >= 500:
            tally.server_errors += 1
            if len(tally.examples) < 20:
                request = response.request
                tally.examples.append(f"{response.status_code} {request.method} {request.url} "
                                      f"body={str(request.body)[:200]!r}")

    try:
        one()
    except hypothesis.errors.Unsatisfiable:  # nothing can be made invalid here (no parameters, no body)
        pass
