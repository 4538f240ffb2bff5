"""Real objects of citizen A (and one staff member) for the authorisation matrix (tests/integration/test_access_matrix.py).

Every path parameter in the app's route table needs a sample here: the matrix fails on a route
whose parameter it cannot fill, so a new id-bearing route gets a real object of A to test with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg

from backend.callbacks.rules import slot_value
from backend.delivery.queries import insert_temporary_address
from backend.intake.api_keys import create_key
from backend.orders import attention
from backend.push.queries import upsert_subscription
from backend.seed.demo import MAIN_DEMO_CPR, NEW_STOMA_CPR
from tests.conftest import citizen_id_by_cpr
from tests.integration.callback_helpers import book_directly, free_slot

A_STREET = "Skovvangsvej 41"
A_TEMPORARY_STREET = "Feriehusvej 7"
A_DEVICE = "Karens telefon"


@dataclass(frozen=True)
class Samples:
    citizen_a: int
    citizen_b: int
    a_name: str
    path_values: dict[str, str]
    """``{name:type}`` as in a route path → the value that names one of A's objects."""
    forms: dict[tuple[str, str], dict[str, str]]
    """(method, route path) → a valid form, so the request reaches the check of whose object it is."""
    order_id: int

    def markers(self, with_name: bool = True) -> list[str]:
        """Text that only a page showing A's data contains."""
        found = [A_STREET, A_TEMPORARY_STREET, A_DEVICE, f"Bestilling {self.order_id}<", f"Order {self.order_id}<"]
        return [self.a_name, *found] if with_name else found


async def make_samples(db: asyncpg.Connection) -> Samples:
    a = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    b = await citizen_id_by_cpr(db, NEW_STOMA_CPR)
    today = dt.date.today()
    order_id = await db.fetchval("SELECT max(id) FROM order_ WHERE citizen_id = $1", a)
    callback_id = await book_directly(db, a, await free_slot(db, day_index=3))
    address_id = await insert_temporary_address(db, a, A_TEMPORARY_STREET, "8400", "Ebeltoft", today,
                                                today + dt.timedelta(days=10))
    subscription_id = await upsert_subscription(db, a, "https://push.example/access-matrix-a", "p256dh-a", "auth-a",
                                                "da", A_DEVICE)
    await attention.flag(db, order_id, "cancel_refused", "access matrix")
    attention_id = await db.fetchval("SELECT id FROM order_attention WHERE order_id = $1", order_id)
    move_to = slot_value(await free_slot(db, day_index=4))
    # A staff member the matrix does not log in as (the supervisor may deactivate and reactivate them).
    member_id = await db.fetchval("SELECT id FROM staff WHERE name = 'Maria Lind'")
    authority_id = await db.fetchval("SELECT municipality_id FROM citizen WHERE id = $1", a)
    grant = await db.fetchrow("SELECT id, product_id, payer_id FROM grant_ WHERE citizen_id = $1 AND valid_to IS NULL "
                              "ORDER BY id LIMIT 1", a)
    other_product = await db.fetchval("SELECT id FROM product WHERE active AND id <> $1 ORDER BY id LIMIT 1",
                                      grant["product_id"])
    # An open product-change request of A, paid by A's municipality (the matrix's caseworker is Odense's).
    change_request_id = await db.fetchval(
        """INSERT INTO change_request (citizen_id, grant_id, current_product_id, wanted_product_id, payer_id, reason,
                                       created_by_kind, created_by_id, due_on)
           VALUES ($1, $2, $3, $4, $5, 'fit', 'citizen', $1, $6) RETURNING id""",
        a, grant["id"], grant["product_id"], other_product, grant["payer_id"], today + dt.timedelta(days=2))
    # A's helper (the demo power of Sofie Jensen) and an invitation A has not seen used yet.
    power_id = await db.fetchval("SELECT id FROM power_of_attorney WHERE citizen_id = $1 AND revoked_at IS NULL", a)
    invitation_id = await db.fetchval(
        """INSERT INTO power_invitation (citizen_id, helper_name, scopes, token_hash, code_hash)
           VALUES ($1, 'Matrix Hjælper', '{view}', '\\x01', '\\x02') RETURNING id""", a)
    key_id, _token = await create_key(db, authority_id, "Access matrix", await db.fetchval(
        "SELECT id FROM staff WHERE name = 'Peter Vang'"))
    return Samples(
        citizen_a=a, citizen_b=b, a_name=await db.fetchval("SELECT name FROM citizen WHERE id = $1", a),
        order_id=order_id,
        path_values={
            "{order_id:int}": str(order_id),
            "{callback_id:int}": str(callback_id),
            "{address_id:int}": str(address_id),
            "{subscription_id:int}": str(subscription_id),
            "{attention_id:int}": str(attention_id),
            "{member_id:int}": str(member_id),
            "{authority_id:int}": str(authority_id),
            "{product_id:int}": str(await db.fetchval("SELECT min(product_id) FROM product_picture")),
            "{grant_id:int}": str(grant["id"]),
            "{change_request_id:int}": str(change_request_id),
            "{power_id:int}": str(power_id),
            "{invitation_id:int}": str(invitation_id),
            "{citizen_id:int}": str(a),
            "{key_id:int}": str(key_id),
            "{reference:str}": "MATRIX-1",
            "{path:path}": "css/app.css",
            "{path:str}": "no-such-document",
        },
        forms={
            ("POST", "/orders/{order_id:int}/backorder"): {"decision": "wait"},
            ("POST", "/callbacks/{callback_id:int}/move"): {"slot": move_to},
            ("POST", "/fsc/authorities/{authority_id:int}/contact"): {"name": "Matrix", "phone": "70 00 00 01"},
            # A's municipality stays live (a go-live date in the past).
            ("POST", "/fsc/go-live/{authority_id:int}"): {"participates": "yes", "go_live": "2024-01-01"},
            ("POST", "/grants/{grant_id:int}/change"): {"product": str(other_product), "reason": "leaks"},
            ("POST", "/fsc/callbacks/{callback_id:int}/change-request"): {
                "grant": str(grant["id"]), "product": str(other_product), "reason": "leaks"},
            ("POST", "/fsc/sag/requests/{change_request_id:int}/approve"): {
                "effective_from": (today + dt.timedelta(days=3)).isoformat()},
            ("POST", "/fsc/sag/requests/{change_request_id:int}/reject"): {"decision_note": "Matrix"},
            ("POST", "/hjaelpere/{power_id:int}/scopes"): {"scope": "view"},
            ("POST", "/fuldmagt"): {"code": "ACDEF-HJKMN"},  # a well-formed code nobody was given
            ("POST", "/fuldmagt/vaelg"): {"power": "0"},  # no such power: the session's choice stays
        },
    )


async def snapshot_of_a(db: asyncpg.Connection, samples: Samples) -> dict:
    """A's objects as stored: nobody but A (and FSC on /fsc) may change them."""
    values = samples.path_values
    row = await db.fetchrow(
        """SELECT (SELECT status FROM order_ WHERE id = $1) AS order_status,
                  (SELECT status || ' ' || slot_start::text FROM callback WHERE id = $2) AS callback,
                  (SELECT count(*) FROM temporary_address WHERE id = $3) AS addresses,
                  (SELECT count(*) FROM push_subscription WHERE id = $4) AS devices,
                  (SELECT count(*) FROM order_ WHERE citizen_id = $5) AS orders,
                  (SELECT count(*) FROM callback WHERE citizen_id = $5) AS callbacks,
                  (SELECT row_to_json(c)::text FROM citizen c WHERE id = $5) AS citizen,
                  (SELECT string_agg(id || ' ' || status, ',' ORDER BY id) FROM change_request
                    WHERE citizen_id = $5) AS change_requests,
                  (SELECT string_agg(id || ' ' || coalesce(valid_to::text, '-'), ',' ORDER BY id) FROM grant_
                    WHERE citizen_id = $5) AS grants,
                  (SELECT array_agg(scopes::text ORDER BY id) FROM power_of_attorney
                    WHERE citizen_id = $5 AND revoked_at IS NULL) AS helpers,
                  (SELECT count(*) FROM power_invitation WHERE citizen_id = $5 AND revoked_at IS NULL) AS invitations,
                  (SELECT row_to_json(c)::text FROM citizen c WHERE id = $5) AS citizen""",
        int(values["{order_id:int}"]), int(values["{callback_id:int}"]), int(values["{address_id:int}"]),
        int(values["{subscription_id:int}"]), samples.citizen_a)
    return dict(row)
