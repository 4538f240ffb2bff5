"""Checks of one grant command that need nothing but the command itself (pure; unit-tested)."""

from __future__ import annotations

from backend.citizens.cpr import normalise_cpr
from backend.intake.models import CHANGE, CREATE, END, Line

MAX_TEXT = {"reference": 100, "name": 200, "street": 200, "postcode": 10, "city": 100, "phone": 40,
            "hmi_no": 40, "manufacturer": 100, "item_no": 60}
MAX_PERIOD_DAYS = 366
OPTIONAL_TEXT = ("phone", "hmi_no", "manufacturer", "item_no")


def _text(line: Line, name: str, *, required: bool) -> None:
    value = getattr(line, name)
    if value is not None:
        value = value.strip()
        setattr(line, name, (value or None) if name in OPTIONAL_TEXT else value)
    if not value:
        if required:
            line.error(name, "required")
    elif len(value) > MAX_TEXT[name]:
        line.error(name, "too_long", max=MAX_TEXT[name])


def check_shape(line: Line) -> None:
    """Record on ``line`` every error that its own fields show (formats, ranges, dates)."""
    _text(line, "reference", required=True)
    if line.reference and ("/" in line.reference or not line.reference.isprintable()):
        line.error("reference", "bad_reference")
    if line.action == CREATE:
        for name in ("name", "street", "postcode", "city"):
            _text(line, name, required=True)
        for name in OPTIONAL_TEXT:
            _text(line, name, required=False)
        try:
            line.cpr = normalise_cpr(line.cpr or "")
        except ValueError:
            line.error("cpr", "bad_cpr")
        if line.municipality_code is None:
            line.error("municipality_code", "required")
        if not line.hmi_no and not (line.manufacturer and line.item_no):
            line.error("product", "no_product")
        if line.quantity_per_period is None:
            line.error("quantity_per_period", "required")
        if line.period_days is None:
            line.error("period_days", "required")
        if line.valid_from is None:
            line.error("valid_from", "required")
    if line.action in (CREATE, CHANGE) and line.quantity_per_period is not None and line.quantity_per_period < 1:
        line.error("quantity_per_period", "bad_quantity")
    if line.action == CREATE and line.period_days is not None and not 1 <= line.period_days <= MAX_PERIOD_DAYS:
        line.error("period_days", "bad_period")
    if line.action == END and line.valid_to is None:
        line.error("valid_to", "required")
    if line.valid_from is not None and line.valid_to is not None and line.valid_to < line.valid_from:
        line.error("valid_to", "end_before_start")
    if line.area is not None:
        line.area = line.area.strip().lower() or None


def citizen_details(line: Line) -> tuple:
    """What a line says about its citizen (two lines for one CPR must agree)."""
    return (line.name, line.street, line.postcode, line.city, line.municipality_code, line.phone, line.stoma_since)
