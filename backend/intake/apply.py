"""Write a checked plan (backend/intake/plan.py) set-wise: a statement per kind of write for the
whole batch (arrays unnested), and one audit row per write. Call inside a transaction."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from backend.intake.models import END
from backend.intake.plan import Plan


@dataclass(frozen=True)
class Actor:
    """Who writes: an authority's system (``("authority", key id)``, or the authority's id for a
    file imported with the CLI) or an FSC staff member importing a file for an authority."""

    kind: str
    id: int | None
    via: str  # api, csv


@dataclass
class Outcome:
    """Per line number: the grant id and what happened (created, replayed, changed, ended)."""

    grants: dict[int, tuple[int, str]]

    def count(self, status: str) -> int:
        return sum(1 for _, s in self.grants.values() if s == status)


_UPSERT_CITIZENS = """
INSERT INTO citizen AS c (cpr_hash, name, street, postcode, city, municipality_id, phone, stoma_since)
SELECT * FROM unnest($1::bytea[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::date[])
ON CONFLICT (cpr_hash) DO UPDATE SET
    name = EXCLUDED.name, street = EXCLUDED.street, postcode = EXCLUDED.postcode, city = EXCLUDED.city,
    phone = coalesce(EXCLUDED.phone, c.phone), stoma_since = coalesce(EXCLUDED.stoma_since, c.stoma_since)
RETURNING id, cpr_hash, (xmax = 0) AS inserted"""

_INSERT_GRANTS = """
INSERT INTO grant_ (citizen_id, product_id, quantity_per_period, period_days, valid_from, valid_to, payer_id,
                    issuer_id, reference, content_hash)
SELECT citizen_id, product_id, quantity, period_days, valid_from, valid_to, $9, $9, reference, content_hash
  FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[], $5::date[], $6::date[], $7::text[], $8::bytea[])
       AS n(citizen_id, product_id, quantity, period_days, valid_from, valid_to, reference, content_hash)
RETURNING id, reference, citizen_id"""

# The region's discharge grant ends the day before the municipality's grant takes over.
_HAND_OVER = """
UPDATE grant_ g SET valid_to = t.takes_over_from - 1, updated_at = now()
  FROM unnest($1::bigint[], $2::date[]) AS t(id, takes_over_from)
 WHERE g.id = t.id
RETURNING g.id, g.citizen_id, g.reference"""

_UPDATE_GRANTS = """
UPDATE grant_ g SET quantity_per_period = coalesce(u.quantity, g.quantity_per_period),
                    valid_to = CASE WHEN u.set_valid_to THEN u.valid_to ELSE g.valid_to END,
                    updated_at = now()
  FROM unnest($1::bigint[], $2::int[], $3::bool[], $4::date[]) AS u(id, quantity, set_valid_to, valid_to)
 WHERE g.id = u.id"""

_AUDIT = """
INSERT INTO audit_log (actor_kind, actor_id, citizen_id, action, detail)
SELECT $1, $2, citizen_id, action, detail
  FROM unnest($3::bigint[], $4::text[], $5::jsonb[]) AS a(citizen_id, action, detail)"""


async def apply_plan(conn: asyncpg.Connection, plan: Plan, actor: Actor) -> Outcome:
    """Write a plan whose lines have no errors (the caller checked ``plan.bad_lines``)."""
    assert not plan.bad_lines, "a plan with errors is never written"
    issuer = plan.issuer
    audit: list[tuple[int | None, str, dict]] = []
    base = {"authority_code": issuer.code, "via": actor.via}

    def note(citizen_id: int | None, action: str, **detail: object) -> None:
        audit.append((citizen_id, action, base | detail))

    outcome = Outcome({number: (grant_id, "replayed") for number, grant_id in plan.replays.items()})
    citizens: dict[bytes, int] = {}
    if plan.creates:
        first = {}
        for create in plan.creates:
            first.setdefault(create.cpr_hash, create)
        lines = [(c.cpr_hash, c.line, c.municipality_id) for c in first.values()]
        rows = await conn.fetch(_UPSERT_CITIZENS, [h for h, _, _ in lines], [l.name for _, l, _ in lines],
                                [l.street for _, l, _ in lines], [l.postcode for _, l, _ in lines],
                                [l.city for _, l, _ in lines], [m for _, _, m in lines],
                                [l.phone for _, l, _ in lines], [l.stoma_since for _, l, _ in lines])
        for row in rows:
            citizens[bytes(row["cpr_hash"])] = row["id"]
            note(row["id"], "citizen_created" if row["inserted"] else "citizen_updated")
        creates = plan.creates
        rows = await conn.fetch(
            _INSERT_GRANTS, [citizens[c.cpr_hash] for c in creates], [c.product_id for c in creates],
            [c.line.quantity_per_period for c in creates], [c.line.period_days for c in creates],
            [c.line.valid_from for c in creates], [c.line.valid_to for c in creates],
            [c.line.reference for c in creates], [c.content_hash for c in creates], issuer.id)
        ids = {row["reference"]: row["id"] for row in rows}
        for create in creates:
            grant_id = ids[create.line.reference]
            outcome.grants[create.line.number] = (grant_id, "created")
            note(citizens[create.cpr_hash], "grant_created", grant_id=grant_id, reference=create.line.reference)
        handovers = [(grant, c.line.valid_from, ids[c.line.reference]) for c in creates for grant in c.takes_over]
        if handovers:
            ended = await conn.fetch(_HAND_OVER, [g for g, _, _ in handovers], [d for _, d, _ in handovers])
            follow_on = {g: new for g, _, new in handovers}
            for row in ended:
                note(row["citizen_id"], "grant_handed_over", grant_id=row["id"], follow_on_grant_id=follow_on[row["id"]])
    if plan.updates:
        updates = plan.updates
        await conn.execute(_UPDATE_GRANTS, [g["id"] for _, g in updates],
                           [line.quantity_per_period for line, _ in updates],
                           [line.set_valid_to for line, _ in updates], [line.valid_to for line, _ in updates])
        for line, grant in updates:
            status = "ended" if line.action == END else "changed"
            outcome.grants[line.number] = (grant["id"], status)
            note(grant["citizen_id"], f"grant_{status}", grant_id=grant["id"], reference=line.reference,
                 valid_to=line.valid_to.isoformat() if line.valid_to else None,
                 quantity_per_period=line.quantity_per_period)
    if audit:
        await conn.execute(_AUDIT, actor.kind, actor.id, [a[0] for a in audit], [a[1] for a in audit],
                           [a[2] for a in audit])
    return outcome
