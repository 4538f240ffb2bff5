"""Translatable names for the catalogue's category, unit and product-area keys."""

from __future__ import annotations

from backend.i18n import gettext


def N_(message: str) -> str:  # noqa: N802 - the gettext extraction marker
    return message


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
}

UNIT_LABELS = {
    "piece": N_("pcs."),
    "tube": N_("tubes"),
    "bottle": N_("bottles"),
    "sachet": N_("sachets"),
    "spray": N_("sprays"),
}

AREA_LABELS = {
    "stomi": N_("Ostomy"),
    "urologi": N_("Urology"),
    "saar": N_("Wound care"),
    "diabetes": N_("Diabetes"),
    "ernaering": N_("Clinical nutrition"),
}


def category_label(key: str) -> str:
    return gettext(CATEGORY_LABELS.get(key, key))


def unit_label(key: str) -> str:
    return gettext(UNIT_LABELS.get(key, key))
