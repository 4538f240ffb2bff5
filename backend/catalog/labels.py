"""Translatable names for the catalogue's category, unit and product-area keys."""

from __future__ import annotations

from backend.i18n import format_number, gettext, ngettext


def N_(message: str) -> str:  # noqa: N802 - the gettext extraction marker
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - the ngettext extraction marker
    return singular, plural


CATEGORY_LABELS = {
    "one_piece_closed": N_("One-piece closed bag"),
    "one_piece_drainable": N_("One-piece drainable bag"),
    "one_piece_urostomy": N_("One-piece urostomy bag"),
    "two_piece_base_plate": N_("Base plate (two-piece)"),
    "two_piece_closed_bag": N_("Closed bag (two-piece)"),
    "two_piece_drainable_bag": N_("Drainable bag (two-piece)"),
    "two_piece_urostomy_bag": N_("Urostomy bag (two-piece)"),
    "seal_ring": N_("Seal ring"),
    "paste": N_("Paste"),
    "adhesive_remover": N_("Adhesive remover"),
    "barrier_film": N_("Barrier film"),
    "belt": N_("Belt"),
    "night_drainage_bag": N_("Night drainage bag"),
    "deodorant": N_("Deodorant"),
    # urology
    "catheter_intermittent": N_("Intermittent catheter"),
    "catheter_indwelling": N_("Indwelling catheter"),
    "urine_leg_bag": N_("Urine leg bag"),
    "urine_night_bag": N_("Urine night bag"),
    "urisheath": N_("Urisheath"),
}

# Singular and plural, so that it says "1 tube" and "3 tubes" (in Danish "1 tube", "3 tuber").
UNIT_LABELS = {
    "piece": NP_("pc.", "pcs."),
    "tube": NP_("tube", "tubes"),
    "bottle": NP_("bottle", "bottles"),
    "sachet": NP_("sachet", "sachets"),
    "spray": NP_("spray", "sprays"),
}

AREA_LABELS = {
    "stomi": N_("Ostomy"),
    "urologi": N_("Urology"),
    "saar": N_("Wound care"),
    "diabetes": N_("Diabetes"),
    "ernaering": N_("Clinical nutrition"),
}


def area_label(key: str) -> str:
    return gettext(AREA_LABELS.get(key, key))


def category_label(key: str) -> str:
    return gettext(CATEGORY_LABELS.get(key, key))


def unit_label(key: str, count: int = 2) -> str:
    """The unit's name for ``count`` of it, in the current language's plural rules."""
    forms = UNIT_LABELS.get(key)
    return ngettext(forms[0], forms[1], count) if forms else key


def quantity(key: str, count: int) -> str:
    """"1 tube", "3 tuber", "90 stk.": a number and its unit, correctly inflected."""
    return f"{format_number(count)} {unit_label(key, count)}"
