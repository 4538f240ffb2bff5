"""The authorities' contacts for grant questions: validation (pure) and queries."""

from __future__ import annotations

import re

import asyncpg
import msgspec

from backend.catalog.labels import N_

PHONE = re.compile(r"\+?[0-9][0-9 ]{6,18}[0-9]", re.ASCII)
EMAIL = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9.-]{1,200}\.[A-Za-z]{2,}", re.ASCII)
URL = re.compile(r"https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/[^\s<>\"]*)?", re.ASCII)
MAX_NAME = 120


class Contact(msgspec.Struct, frozen=True):
    name: str = ""
    phone: str = ""
    email: str = ""
    url: str = ""


def contact_errors(contact: Contact) -> dict[str, str]:
    """Field -> msgid of what is wrong (translated by the caller); empty when the contact is fine.
    A name and at least one way to reach them (phone, e-mail or web page) are needed."""
    errors: dict[str, str] = {}
    if not contact.name.strip() or len(contact.name) > MAX_NAME or "\x00" in contact.name:
        errors["name"] = N_("Write the name of the office citizens should contact (at most 120 characters).")
    if contact.phone and not PHONE.fullmatch(contact.phone.strip()):
        errors["phone"] = N_("Write the phone number with digits and spaces only, e.g. 89 40 20 00.")
    if contact.email and not EMAIL.fullmatch(contact.email.strip()):
        errors["email"] = N_("Write a whole e-mail address, e.g. hjaelpemidler@kommune.dk.")
    if contact.url and not URL.fullmatch(contact.url.strip()):
        errors["url"] = N_("Write the web page's whole address, starting with https://.")
    if not errors and not (contact.phone or contact.email or contact.url):
        errors["phone"] = N_("Give at least one way to reach them: phone, e-mail or web page.")
    return errors


def cleaned(contact: Contact) -> Contact:
    return Contact(*(value.strip() for value in (contact.name, contact.phone, contact.email, contact.url)))


async def select_citizen_municipality(conn: asyncpg.Connection, citizen_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT a.id, a.code, a.name, a.contact_name, a.contact_phone, a.contact_email, a.contact_url
             FROM citizen c JOIN authority a ON a.id = c.municipality_id WHERE c.id = $1""", citizen_id)


async def select_participating(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """The participating municipalities with their contacts, by name."""
    return await conn.fetch(
        """SELECT id, code, name, contact_name, contact_phone, contact_email, contact_url, contact_updated_at
             FROM authority WHERE kind = 'municipality' AND participates ORDER BY name""")


async def select_municipality_by_code(conn: asyncpg.Connection, code: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT id, code, name, contact_name, contact_phone, contact_email, contact_url
             FROM authority WHERE kind = 'municipality' AND participates AND code = $1""", code)


async def update_contact(conn: asyncpg.Connection, authority_id: int, contact: Contact,
                         staff_id: int | None) -> str | None:
    """Store the contact; the authority's name, or None when there is no such participating municipality."""
    return await conn.fetchval(
        """UPDATE authority SET contact_name = $2, contact_phone = nullif($3, ''), contact_email = nullif($4, ''),
                  contact_url = nullif($5, ''), contact_updated_at = now(), contact_updated_by = $6
            WHERE id = $1 AND kind = 'municipality' AND participates RETURNING name""",
        authority_id, contact.name, contact.phone, contact.email, contact.url, staff_id)
