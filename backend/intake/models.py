"""What the intake takes: the API's JSON bodies (msgspec) and one ``Line`` per grant command,
whether it came from the API or from a line of a CSV file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import msgspec

CREATE, CHANGE, END = "create", "change", "end"
ACTIONS = (CREATE, CHANGE, END)


class CitizenIn(msgspec.Struct, forbid_unknown_fields=True):
    """The citizen as the authority's system knows them; matched by CPR (never stored in clear)."""

    cpr: str
    name: str
    street: str
    postcode: str
    city: str
    municipality_code: int
    phone: str | None = None
    stoma_since: dt.date | None = None
    """The operation date, for a new stoma (the first months have their own ordering rule)."""


class ProductRef(msgspec.Struct, forbid_unknown_fields=True):
    """A catalogue product: its HMI number, or its manufacturer and item number."""

    hmi_no: str | None = None
    manufacturer: str | None = None
    item_no: str | None = None


class GrantCreate(msgspec.Struct, forbid_unknown_fields=True):
    reference: str
    """The authority's own reference for the grant: the same reference and content again is the same grant."""
    citizen: CitizenIn
    product: ProductRef
    quantity_per_period: int
    """Pieces per period."""
    period_days: int
    valid_from: dt.date
    valid_to: dt.date | None = None
    """Last valid day (inclusive); null: until further notice."""
    area: str | None = None
    """Product area (stomi, urologi, saar, diabetes, ernaering); when given it must be the product's."""
    authority_code: int | None = None
    """When given, it must be the key's own authority (a system sending for another authority gets 403)."""


class GrantChange(msgspec.Struct, forbid_unknown_fields=True):
    """A change of an existing grant: the quantity and/or the last valid day (null: until further notice)."""

    quantity_per_period: int | msgspec.UnsetType = msgspec.UNSET
    valid_to: dt.date | None | msgspec.UnsetType = msgspec.UNSET
    authority_code: int | None = None


class GrantEnd(msgspec.Struct, forbid_unknown_fields=True):
    valid_to: dt.date
    """The grant's last valid day."""
    authority_code: int | None = None


class ProductOut(msgspec.Struct):
    id: int
    name: str
    manufacturer: str
    item_no: str
    hmi_no: str | None
    area: str


class GrantOut(msgspec.Struct):
    id: int
    reference: str
    authority_code: int
    payer_code: int
    citizen_id: int
    product: ProductOut
    quantity_per_period: int
    period_days: int
    valid_from: dt.date
    valid_to: dt.date | None


class FieldError(msgspec.Struct):
    field: str
    code: str
    detail: str


class Problem(msgspec.Struct):
    """RFC 9457 problem details (application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] = []


@dataclass
class Line:
    """One grant command, from the API (line 1) or a CSV line (its line number in the file).
    Text fields arrive as given; ``Line`` errors are found by backend/intake/checks.py."""

    number: int
    action: str
    reference: str
    cpr: str = ""
    name: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    municipality_code: int | None = None
    phone: str | None = None
    stoma_since: dt.date | None = None
    hmi_no: str | None = None
    manufacturer: str | None = None
    item_no: str | None = None
    area: str | None = None
    quantity_per_period: int | None = None
    period_days: int | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    set_valid_to: bool = False           # change: valid_to given (None then means until further notice)
    errors: list[tuple[str, str, dict]] = field(default_factory=list)  # (field, code, values)

    def error(self, field_name: str, code: str, **values: object) -> None:
        self.errors.append((field_name, code, values))


def line_from_create(body: GrantCreate, number: int = 1) -> Line:
    c, p = body.citizen, body.product
    return Line(number, CREATE, body.reference, cpr=c.cpr, name=c.name, street=c.street, postcode=c.postcode,
                city=c.city, municipality_code=c.municipality_code, phone=c.phone, stoma_since=c.stoma_since,
                hmi_no=p.hmi_no, manufacturer=p.manufacturer, item_no=p.item_no, area=body.area,
                quantity_per_period=body.quantity_per_period, period_days=body.period_days,
                valid_from=body.valid_from, valid_to=body.valid_to)


def line_from_change(reference: str, body: GrantChange) -> Line:
    line = Line(1, CHANGE, reference)
    if body.quantity_per_period is not msgspec.UNSET:
        line.quantity_per_period = body.quantity_per_period
    if body.valid_to is not msgspec.UNSET:
        line.valid_to, line.set_valid_to = body.valid_to, True
    return line


def line_from_end(reference: str, body: GrantEnd) -> Line:
    return Line(1, END, reference, valid_to=body.valid_to, set_valid_to=True)
