"""The authorisation matrix: every route × every method × every kind of caller, from the route table.

Callers: anonymous; citizen A (on A's own objects); citizen B (on A's objects); a caseworker of
another authority than A's (on A's objects); an advisor; a supervisor. Citizens on /fsc/… are "a citizen cookie on the staff console"; staff on the citizen
pages are "a staff cookie on citizen pages". What each may do follows from the route's declared
kind (backend/web/access.py), so a new route is covered without editing this file; a new path
parameter needs a sample object of A in tests/integration/access_samples.py.

Denied means: a redirect to a login page, 401, 403 or 404. Allowed means: not denied (and never a
server error). Citizen B must never see A's data, nor change A's objects.

Helpers (relatives with a power of attorney, issue 14) are walked in their own test: a helper of A
with each scope alone passes exactly the citizen routes that declare that scope; a helper of A whose
power was revoked in their open session, and a helper of B on A's objects, pass none and change nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.auth.sessions import SESSION_COOKIE
from backend.staff.sessions import STAFF_COOKIE
from backend.warehouse.signing import signature_headers
from backend.web.access import SCOPES, declared_access, declared_scope, is_automatic_options
from tests.conftest import TEST_WAREHOUSE_SECRET, csrf_token, login
from tests.integration.access_samples import A_DEVICE, make_samples, snapshot_of_a
from tests.integration.power_helpers import act_for, grant, login_person, make_person
from tests.integration.test_staff import staff_id, staff_login
from tests.push_fixtures import push_settings

ALLOWED, DENIED, FOREIGN = "allowed", "denied", "foreign"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PARAMETER = re.compile(r"\{[^}]+\}")


@dataclass(frozen=True)
class Call:
    method: str
    template: str
    url: str
    kind: str
    automatic_options: bool = False
    """litestar's own OPTIONS answer (204 and the Allow header): it takes the path's strictest kind."""
    scope: str | None = None
    """The helper scope the route allows (citizen routes), None: the citizen themself only."""

    @property
    def on_a_object(self) -> bool:
        return bool(PARAMETER.search(self.template)) and not self.template.startswith(("/static/", "/api/docs/"))

    def __str__(self) -> str:
        return f"{self.method} {self.template} [{self.kind}]"


@dataclass
class Role:
    name: str
    citizen: int | None = None
    staff_name: str | None = None
    cookie: str | None = None
    landing: str = "/fsc/queue"
    seen: list[str] = field(default_factory=list)
    person: int | None = None
    """A helper: the person who logs in, and the power they act under (``scopes``; None: revoked)."""
    power: int | None = None
    scopes: frozenset[str] | None = None
    helps_a: bool = True


# Objects that are the citizen's own even within a scope: a helper removes only their own devices.
CITIZENS_OWN_OBJECTS = {"/notifications/subscriptions/{subscription_id:int}/delete"}


def helper_expectation(kind: str, role: Role, call: Call) -> str:
    if kind == "citizen":
        if not role.scopes or call.scope not in role.scopes:
            return DENIED
        if (not role.helps_a or call.template in CITIZENS_OWN_OBJECTS) and call.on_a_object \
                and not call.automatic_options:
            return FOREIGN
        return ALLOWED
    if kind == "person":
        return ALLOWED  # a helper is a signed-in person
    return expectation(kind, "anonymous", call)  # staff, supervisor, partner: as nobody


def expectation(kind: str, role: str, call: Call) -> str:
    if kind == "public":
        return ALLOWED
    if kind == "partner":  # nobody here holds the partner's secret; the signed call is checked separately
        return ALLOWED if call.automatic_options else DENIED  # the Allow header is no secret (see /api/docs)
    if kind == "api":  # nobody here holds an API key: sessions never count (test_grant_intake_api.py has keys)
        return DENIED
    if kind in ("person", "citizen"):
        if role == "citizen A":
            return ALLOWED
        if role == "citizen B":  # the Allow header says nothing about the object
            return FOREIGN if call.on_a_object and not call.automatic_options else ALLOWED
        return DENIED
    if kind == "caseworker":  # the matrix's caseworker works for another authority than A's
        if role == "caseworker":
            return FOREIGN if call.on_a_object and not call.automatic_options else ALLOWED
        return DENIED
    if kind == "staff":
        return ALLOWED if role in ("advisor", "supervisor") else DENIED
    if kind == "supervisor":
        return ALLOWED if role == "supervisor" else DENIED
    if kind == "reports":  # the caseworker sees their own authority's figures (A's data never shows: judge)
        return ALLOWED if role in ("supervisor", "caseworker") else DENIED
    if kind == "supervisor_or_caseworker":  # the grant upload: a caseworker only for their own authority
        return ALLOWED if role in ("supervisor", "caseworker") else DENIED
    raise AssertionError(f"{call}: unknown access kind")


def refusal(response) -> str | None:
    """Why the response is a refusal, or None when it is not one."""
    if response.status_code in (401, 403, 404):
        return str(response.status_code)
    target = response.headers.get("location", "") if response.is_redirect else response.headers.get("hx-redirect", "")
    if target.startswith(("/login", "/fsc/login")):
        return f"login redirect {response.status_code}"
    return None


def calls_from_route_table(app, samples) -> tuple[list[Call], list[str]]:
    calls, problems = [], []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            problems.append(f"{route.path}: the matrix only knows HTTP routes")
            continue
        url = route.path
        for parameter in PARAMETER.findall(route.path):
            if parameter not in samples.path_values:
                problems.append(f"{route.path}: no sample object for {parameter} in access_samples.py")
            url = url.replace(parameter, samples.path_values.get(parameter, "0"))
        for handler in route.route_handlers:
            kind = declared_access(handler)
            if kind is None:
                problems.append(f"{route.path} ({handler.handler_name}): no access declaration")
                continue
            calls += [Call(method, route.path, url, kind, is_automatic_options(handler), declared_scope(handler))
                      for method in sorted(handler.http_methods)]
    # Reading before writing; the caller's own logout comes last (it is logged in again anyway).
    calls.sort(key=lambda c: (c.method not in SAFE_METHODS, "logout" in c.template, c.template, c.method))
    return calls, problems


async def sign_in(client: AsyncTestClient, db, role: Role) -> None:
    if role.person is not None:
        await login_person(client, role.person)
        assert (await act_for(client, role.power)).status_code == 303
    elif role.citizen is not None:
        await login(client, role.citizen)
    elif role.staff_name is not None:
        await staff_login(client, await staff_id(db, role.staff_name), landing=role.landing)


async def send(client: AsyncTestClient, call: Call, samples) -> object:
    if call.method in SAFE_METHODS:
        return await client.request(call.method, call.url, follow_redirects=False)
    token = await csrf_token(client, call.url)
    form = {**samples.forms.get((call.method, call.template), {}), "_csrf_token": token}
    return await client.request(call.method, call.url, data=form, follow_redirects=False)


def judge(role: Role, call: Call, response, samples, logged_out: bool) -> list[str]:
    who = f"{role.name}: {call} → {response.status_code}"
    if response.status_code >= 500:
        return [f"{who}: server error"]
    helper = role.person is not None
    expected = helper_expectation(call.kind, role, call) if helper else expectation(call.kind, role.name, call)
    why = refusal(response)
    if logged_out and why and why.startswith("login"):
        why = None  # a logout's own answer: to the login page
    problems = []
    lenient = call.kind == "public" or call.automatic_options and call.kind == "partner"  # may answer 404 or redirect
    if expected == ALLOWED and lenient and response.status_code in (401, 403):
        problems.append(f"{who}: a public route refused")
    elif expected == ALLOWED and not lenient and why is not None:
        problems.append(f"{who}: should be allowed, was refused ({why})")
    elif expected == DENIED and why is None:
        problems.append(f"{who}: should be refused")
    elif expected == FOREIGN and 200 <= response.status_code < 300:
        problems.append(f"{who}: answered with A's object")
    if helper and role.helps_a and role.scopes:
        # A live helper of A may see A's name (the banner); a refused page shows none of A's data,
        # and no page shows A's own devices (a helper's notices go to the helper's devices).
        if expected != ALLOWED and (shown := [m for m in samples.markers(with_name=False) if m in response.text]):
            problems.append(f"{who}: shows A's data {shown}")
        elif A_DEVICE in response.text:
            problems.append(f"{who}: shows A's device")
    elif role.name != "citizen A" and (expected != ALLOWED or role.name in ("citizen B", "caseworker") or helper):
        shown = [m for m in samples.markers(with_name=call.kind != "public") if m in response.text]
        if shown:
            problems.append(f"{who}: shows A's data {shown}")
    return problems


async def test_every_route_allows_and_refuses_exactly_whom_it_declares(db_url, db):
    samples = await make_samples(db)
    app = create_app(push_settings(), database_url=db_url)
    calls, problems = calls_from_route_table(app, samples)
    assert not problems, "\n".join(problems)
    assert any(c.on_a_object and c.kind == "citizen" for c in calls) and any(c.kind == "staff" for c in calls)
    assert any(c.on_a_object and c.kind == "caseworker" for c in calls)

    roles = [Role("anonymous"), Role("citizen B", citizen=samples.citizen_b, cookie=SESSION_COOKIE),
             Role("caseworker", staff_name="Lars Krogh", cookie=STAFF_COOKIE, landing="/fsc/sag"),
             Role("advisor", staff_name="Anne Holm", cookie=STAFF_COOKIE),
             Role("supervisor", staff_name="Peter Vang", cookie=STAFF_COOKIE),
             Role("citizen A", citizen=samples.citizen_a, cookie=SESSION_COOKIE)]
    before = await snapshot_of_a(db, samples)
    own_order = ""
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        for role in roles:
            client.cookies.clear()
            await sign_in(client, db, role)
            for call in calls:
                if call.kind == "partner" and role.name == "anonymous":
                    problems += await check_signed_partner_call(client, call)
                response = await send(client, call, samples)
                logged_out = bool(role.cookie) and role.cookie not in client.cookies
                problems += judge(role, call, response, samples, logged_out)
                if role.name == "citizen A" and call.method == "GET" and call.template == "/orders/{order_id:int}":
                    own_order = response.text  # the sample really is A's (else "B is refused" would prove nothing)
                if logged_out:
                    await sign_in(client, db, role)
            if role.name in ("citizen B", "caseworker"):
                assert await snapshot_of_a(db, samples) == before, f"anonymous or {role.name} changed A's objects"
    assert f"Bestilling {samples.order_id}<" in own_order
    assert not problems, f"{len(problems)} of {len(calls) * len(roles)} calls were wrong:\n" + "\n".join(problems)
    assert len(calls) * len(roles) >= 250  # the walk found the whole app


async def walk(client: AsyncTestClient, db, role: Role, calls: list[Call], samples, *, sign_in_first=True) -> list[str]:
    """Every call as ``role``; a logout ends a revoked helper's walk (they cannot choose A again)."""
    problems = []
    if sign_in_first:
        client.cookies.clear()
        await sign_in(client, db, role)
    for call in calls:
        response = await send(client, call, samples)
        logged_out = bool(role.cookie) and role.cookie not in client.cookies
        problems += judge(role, call, response, samples, logged_out)
        if logged_out:
            if role.scopes is None:
                break
            await sign_in(client, db, role)
    return problems


async def test_helpers_pass_exactly_the_routes_their_scopes_allow(db_url, db):
    samples = await make_samples(db)
    app = create_app(push_settings(), database_url=db_url)
    calls, problems = calls_from_route_table(app, samples)
    assert not problems, "\n".join(problems)
    assert {c.scope for c in calls if c.kind == "citizen"} >= {"view", "order", "callbacks", "delivery", None}
    a, b = samples.citizen_a, samples.citizen_b

    async def helper(name: str, cpr: str, citizen: int, scopes: tuple[str, ...]) -> Role:
        person = await make_person(db, name, cpr)
        power = await grant(db, citizen, person, *scopes)
        return Role(name, cookie=SESSION_COOKIE, person=person, power=power, scopes=frozenset(scopes),
                    helps_a=citizen == a)

    revoked = await helper("helper of A after revocation", "0101501111", a, SCOPES)
    of_b = await helper("helper of B acting on A's objects", "0101502222", b, SCOPES)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        # Revoked while the session is open: signed in and acting for A first, then revoked, then every call.
        client.cookies.clear()
        await sign_in(client, db, revoked)
        assert (await client.get("/")).status_code == 200  # acting for A (and the one-time "you now act for A" read)
        await db.execute("UPDATE power_of_attorney SET revoked_at = now() WHERE id = $1", revoked.power)
        revoked.scopes = None
        before = await snapshot_of_a(db, samples)
        problems += await walk(client, db, revoked, calls, samples, sign_in_first=False)
        problems += await walk(client, db, of_b, calls, samples)
        # A crafted choice of A's powers by B's helper is refused and chooses nothing.
        a_power = int(samples.path_values["{power_id:int}"])
        for crafted in (revoked.power, a_power):
            assert (await act_for(client, crafted)).status_code == 403
        assert await snapshot_of_a(db, samples) == before, "a revoked helper or B's helper changed A's objects"
        # Each scope alone; the ones that may write touch disjoint objects (orders, callbacks, addresses).
        for number, scope in enumerate(("view", "notifications", "callbacks", "delivery", "order")):
            role = await helper(f"helper of A with {scope!r} alone", f"01015{number}3333", a, (scope,))
            problems += await walk(client, db, role, calls, samples)
    assert not problems, f"{len(problems)} helper calls were wrong:\n" + "\n".join(problems)


async def check_signed_partner_call(client: AsyncTestClient, call: Call) -> list[str]:
    """A partner route with a valid signature gets past the access check (here: to the schema check)."""
    body = json.dumps({"type": "nonsense"}).encode()
    response = await client.request(call.method, call.url, content=body, headers={
        "content-type": "application/json", **signature_headers(TEST_WAREHOUSE_SECRET.encode(), body)})
    if response.status_code in (401, 403) or response.status_code >= 500:
        return [f"signed partner call: {call} → {response.status_code}"]
    return []
