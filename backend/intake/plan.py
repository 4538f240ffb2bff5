"""Check a batch of grant commands against the database (all of them, every error) and plan the
writes. Nothing is written here: ``apply.py`` writes a plan only when no line has an error, so a
batch (one API request, a whole CSV file) is all or nothing.

Lookups are one query each for the whole batch (products, citizens, grants by reference, the
region's discharge grants), so 10,000 lines cost a handful of round trips, not 10,000."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, field

import asyncpg
import msgspec

from backend.citizens.cpr import cpr_hash
from backend.intake.checks import check_shape, citizen_details
from backend.intake.models import CHANGE, CREATE, END, Line


@dataclass(frozen=True)
class Authority:
    id: int
    code: int
    name: str
    kind: str
    region_id: int | None


@dataclass
class Create:
    line: Line
    cpr_hash: bytes
    product_id: int
    municipality_id: int
    content_hash: bytes
    takes_over: list[int] = field(default_factory=list)  # the region's grants this one ends the day before


@dataclass
class Plan:
    issuer: Authority
    lines: list[Line]
    creates: list[Create] = field(default_factory=list)
    replays: dict[int, int] = field(default_factory=dict)          # line number -> existing grant id
    updates: list[tuple[Line, asyncpg.Record]] = field(default_factory=list)  # change/end, with the grant

    @property
    def bad_lines(self) -> list[Line]:
        return [line for line in self.lines if line.errors]


async def load_authorities(conn: asyncpg.Connection) -> dict[int, Authority]:
    """Every authority by code (about a hundred rows)."""
    rows = await conn.fetch("SELECT id, code, name, kind, region_id FROM authority")
    return {r["code"]: Authority(r["id"], r["code"], r["name"], r["kind"], r["region_id"]) for r in rows}


def content_hash(key: str, line: Line, cpr_digest: bytes) -> bytes:
    """A keyed hash of what a create says (the CPR only as its keyed hash): same content, same hash."""
    canonical = msgspec.json.encode([
        cpr_digest.hex(), *citizen_details(line), line.hmi_no, line.manufacturer, line.item_no, line.area,
        line.quantity_per_period, line.period_days, line.valid_from, line.valid_to])
    return hmac.new(key.encode(), b"grant-content:" + canonical, hashlib.sha256).digest()


async def _products(conn: asyncpg.Connection, lines: list[Line]) -> tuple[dict, dict]:
    hmi = sorted({line.hmi_no for line in lines if line.hmi_no})
    pairs = sorted({(line.manufacturer.lower(), line.item_no) for line in lines
                    if not line.hmi_no and line.manufacturer and line.item_no})
    rows = await conn.fetch(
        """SELECT p.id, p.hmi_no, lower(m.name) AS manufacturer, p.item_no, p.area_code, p.active
             FROM product p JOIN manufacturer m ON m.id = p.manufacturer_id
            WHERE p.hmi_no = ANY($1::text[])
               OR (lower(m.name), p.item_no) IN (SELECT * FROM unnest($2::text[], $3::text[]))""",
        hmi, [m for m, _ in pairs], [i for _, i in pairs])
    by_hmi = {r["hmi_no"]: r for r in rows if r["hmi_no"]}
    by_item = {(r["manufacturer"], r["item_no"]): r for r in rows}
    return by_hmi, by_item


def _may_grant_for(issuer: Authority, municipality: Authority) -> bool:
    """A municipality grants for its own citizens; a region (hospital discharge) for its municipalities'."""
    return issuer.id == municipality.id or (issuer.kind == "region" and municipality.region_id == issuer.id)


def _check_repeats(lines: list[Line]) -> None:
    """The same reference twice in a batch, or two lines that disagree about one citizen."""
    seen_reference: dict[str, int] = {}
    seen_citizen: dict[str, tuple[int, tuple]] = {}
    for line in lines:
        if line.reference:
            if line.reference in seen_reference:
                line.error("reference", "repeated_reference", line=seen_reference[line.reference])
            else:
                seen_reference[line.reference] = line.number
        if line.action == CREATE and len(line.cpr) == 10 and line.cpr.isdigit():
            details = citizen_details(line)
            first = seen_citizen.setdefault(line.cpr, (line.number, details))
            if first[1] != details:
                line.error("citizen", "citizen_differs", line=first[0])


async def make_plan(conn: asyncpg.Connection, issuer: Authority, lines: list[Line], cpr_key: str,
                    authorities: dict[int, Authority] | None = None) -> Plan:
    """Check every line (recording its errors on it) and plan the writes of a clean batch."""
    plan = Plan(issuer, lines)
    for line in lines:
        check_shape(line)
    _check_repeats(lines)
    authorities = authorities or await load_authorities(conn)
    by_id = {a.id: a for a in authorities.values()}
    creates = [line for line in lines if line.action == CREATE]
    by_hmi, by_item = await _products(conn, creates)
    areas = {r["code"] for r in await conn.fetch("SELECT code FROM product_area")}
    hashes = {line.cpr: cpr_hash(cpr_key, line.cpr) for line in creates if not any(
        f == "cpr" for f, _, _ in line.errors)}
    citizens = {bytes(r["cpr_hash"]): r for r in await conn.fetch(
        "SELECT id, cpr_hash, municipality_id FROM citizen WHERE cpr_hash = ANY($1::bytea[])", list(hashes.values()))}
    grants = {r["reference"]: r for r in await conn.fetch(
        """SELECT g.id, g.reference, g.citizen_id, g.product_id, g.valid_from, g.valid_to, g.content_hash,
                  (SELECT max(a.period_start) FROM grant_allocation a WHERE a.grant_id = g.id) AS last_allocated
             FROM grant_ g WHERE g.issuer_id = $1 AND g.reference = ANY($2::text[])""",
        issuer.id, [line.reference for line in lines if line.reference])}

    for line in creates:
        product = by_hmi.get(line.hmi_no) if line.hmi_no else by_item.get(
            ((line.manufacturer or "").lower(), line.item_no))
        if (line.hmi_no or (line.manufacturer and line.item_no)) and (product is None or not product["active"]):
            line.error("product", "unknown_product")
        if line.area is not None:
            if line.area not in areas:
                line.error("area", "unknown_area")
            elif product is not None and product["area_code"] != line.area:
                line.error("area", "wrong_area", area=product["area_code"])
        municipality = authorities.get(line.municipality_code) if line.municipality_code is not None else None
        if line.municipality_code is not None and (municipality is None or municipality.kind != "municipality"):
            line.error("municipality_code", "unknown_municipality")
            municipality = None
        if municipality is not None and not _may_grant_for(issuer, municipality):
            line.error("municipality_code", "not_your_citizen", authority=issuer.name, municipality=municipality.name)
        digest = hashes.get(line.cpr)
        existing_citizen = citizens.get(digest) if digest else None
        if existing_citizen is not None and municipality is not None \
                and existing_citizen["municipality_id"] != municipality.id:
            line.error("municipality_code", "moved_citizen",
                       municipality=by_id[existing_citizen["municipality_id"]].name)
        existing = grants.get(line.reference)
        if existing is not None and digest is not None:
            if bytes(existing["content_hash"] or b"") == content_hash(cpr_key, line, digest):
                plan.replays[line.number] = existing["id"]
            else:
                line.error("reference", "reference_conflict")
            continue
        if not line.errors:
            plan.creates.append(Create(line, digest, product["id"], municipality.id,
                                       content_hash(cpr_key, line, digest)))

    for line in lines:
        if line.action in (CHANGE, END):
            grant = grants.get(line.reference)
            if grant is None:
                if line.reference:
                    line.error("reference", "unknown_reference")
                continue
            new_end = line.valid_to if line.set_valid_to else grant["valid_to"]
            if new_end is not None and new_end < grant["valid_from"]:
                line.error("valid_to", "end_before_start")
            elif new_end is not None and grant["last_allocated"] is not None and grant["last_allocated"] > new_end:
                line.error("valid_to", "ended_before_orders", date=grant["last_allocated"].isoformat())
            if not line.errors:
                plan.updates.append((line, grant))

    if issuer.kind == "municipality":
        await _plan_handovers(conn, plan, citizens)
    return plan


async def _plan_handovers(conn: asyncpg.Connection, plan: Plan, citizens: dict[bytes, asyncpg.Record]) -> None:
    """A municipality's grant takes over the region's discharge grant for the same product from its
    start: the discharge grant then ends the day before (the hand-over day is the municipality's).
    A discharge grant that starts on or after that day cannot be handed over (an error)."""
    known = [(citizens[c.cpr_hash]["id"], c) for c in plan.creates if c.cpr_hash in citizens]
    if not known:
        return
    rows = await conn.fetch(
        """SELECT g.id, g.citizen_id, g.product_id, g.valid_from, g.valid_to
             FROM grant_ g JOIN authority payer ON payer.id = g.payer_id AND payer.kind = 'region'
            WHERE (g.citizen_id, g.product_id) IN (SELECT * FROM unnest($1::bigint[], $2::int[]))""",
        [citizen_id for citizen_id, _ in known], [c.product_id for _, c in known])
    for citizen_id, create in known:
        start: dt.date = create.line.valid_from
        for row in rows:
            if (row["citizen_id"], row["product_id"]) != (citizen_id, create.product_id):
                continue
            if row["valid_to"] is not None and row["valid_to"] < start:
                continue  # ended before the municipality's grant starts: nothing to hand over
            if row["valid_from"] >= start:
                create.line.error("valid_from", "handover_overlap", date=row["valid_from"].isoformat())
            else:
                create.takes_over.append(row["id"])
    plan.creates = [c for c in plan.creates if not c.line.errors]
