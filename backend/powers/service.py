"""What happens to powers of attorney: invite, accept, choose whom to act for, change, revoke,
register a paper power. Each step checks its rules, writes in one transaction and is audit-logged
(the citizen's log page reads these rows); a refusal (PowerRefused) writes nothing."""

from __future__ import annotations

import datetime as dt

import asyncpg
import msgspec

from backend.audit import log_event
from backend.auth.models import SignedInPerson, Viewer
from backend.i18n import gettext as _
from backend.powers import queries
from backend.powers.rules import (
    INVITATION_VALID,
    PowerRefused,
    keyed_hash,
    new_code,
    new_token,
    normalise_code,
    shown_code,
)


class Invitation(msgspec.Struct, frozen=True):
    """A new invitation as shown once to the citizen (only hashes are stored)."""

    id: int
    helper_name: str
    scopes: tuple[str, ...]
    code: str
    token: str


async def invite(conn: asyncpg.Connection, secret_key: str, viewer: Viewer, helper_name: str,
                 scopes: tuple[str, ...]) -> Invitation:
    code, token = new_code(), new_token()
    async with conn.transaction():
        await queries.lock_citizen(conn, viewer.citizen_id)
        if await queries.open_invitation_exists(conn, viewer.citizen_id, helper_name):
            raise PowerRefused(_("%(name)s already has an invitation that is not used yet. Withdraw it first, "
                                 "or wait until it is used.") % {"name": helper_name}, 409)
        invitation_id = await queries.insert_invitation(
            conn, viewer.citizen_id, helper_name, scopes, keyed_hash(secret_key, "token", token),
            keyed_hash(secret_key, "code", code), INVITATION_VALID)
        await log_event(conn, actor_kind=viewer.actor[0], actor_id=viewer.actor[1], citizen_id=viewer.citizen_id,
                        action="helper_invited", detail={"invitation_id": invitation_id, "helper_name": helper_name,
                                                         "scopes": list(scopes)})
    return Invitation(invitation_id, helper_name, scopes, shown_code(code), token)


async def withdraw(conn: asyncpg.Connection, viewer: Viewer, invitation_id: int) -> None:
    async with conn.transaction():
        if not await queries.withdraw_invitation(conn, viewer.citizen_id, invitation_id):
            raise PowerRefused(_("The invitation is already used, withdrawn or expired."), 409)
        await log_event(conn, actor_kind=viewer.actor[0], actor_id=viewer.actor[1], citizen_id=viewer.citizen_id,
                        action="helper_invitation_withdrawn", detail={"invitation_id": invitation_id})


async def find_invitation(conn: asyncpg.Connection, secret_key: str, *, code: str = "", token: str = "",
                          for_update: bool = False) -> asyncpg.Record:
    """The open invitation named by a code (as typed) or a link token; refuses an unknown, used,
    withdrawn or expired one with a message that says which."""
    if token:
        row = await queries.select_invitation(conn, token_hash=keyed_hash(secret_key, "token", token),
                                              for_update=for_update)
    else:
        normalised = normalise_code(code)
        if normalised is None:
            raise PowerRefused(_("The code has 10 letters and digits, for example ACDEF-HJKMN. Check it and try again."))
        row = await queries.select_invitation(conn, code_hash=keyed_hash(secret_key, "code", normalised),
                                              for_update=for_update)
    if row is None:
        raise PowerRefused(_("We do not know this code or link. Check it, or ask for a new invitation."))
    if row["accepted_at"] is not None:
        raise PowerRefused(_("This invitation has already been used. Ask for a new one if you need it."), 409)
    if row["revoked_at"] is not None:
        raise PowerRefused(_("This invitation was withdrawn. Ask for a new one if you need it."), 409)
    if row["expired"]:
        raise PowerRefused(_("This invitation has expired (it was valid for 72 hours). Ask for a new one."), 409)
    return row


async def accept(conn: asyncpg.Connection, secret_key: str, person: SignedInPerson, *, code: str = "",
                 token: str = "") -> asyncpg.Record:
    """The signed-in person accepts an invitation and becomes the citizen's helper; returns the invitation."""
    if person.person_id is None:  # a demo citizen login has no person: a helper must log in as themself
        raise PowerRefused(_("Log in with MitID as yourself to accept a power of attorney."), 409)
    async with conn.transaction():
        invitation = await find_invitation(conn, secret_key, code=code, token=token, for_update=True)
        own_cpr = await queries.select_person_cpr_hash(conn, person.person_id)
        if invitation["citizen_id"] == person.citizen_id or own_cpr == invitation["citizen_cpr_hash"]:
            raise PowerRefused(_("This is your own invitation. Give the code to the person who will help you."), 409)
        power_id = await queries.insert_power(conn, invitation["citizen_id"], person.person_id,
                                              tuple(invitation["scopes"]), "invitation")
        await queries.mark_invitation_accepted(conn, invitation["id"], power_id)
        await log_event(conn, actor_kind="relative", actor_id=person.person_id, citizen_id=invitation["citizen_id"],
                        action="power_accepted", detail={"power_id": power_id, "invitation_id": invitation["id"],
                                                         "scopes": list(invitation["scopes"])})
    return invitation


async def act_for(conn: asyncpg.Connection, person: SignedInPerson, power_id: int | None) -> str | None:
    """The session acts for the citizen of ``power_id`` (the person's own, live power) or, with None,
    for the person themself; returns the helped citizen's name."""
    if power_id is None:
        await queries.set_acting_for(conn, person.session_hash, None)
        return None
    power = await queries.select_live_power_of_person(conn, power_id, person.person_id) \
        if person.person_id is not None else None
    if power is None:
        raise PowerRefused(_("You have no power of attorney for this person. Ask them to invite you."), 403)
    async with conn.transaction():
        await queries.set_acting_for(conn, person.session_hash, power_id)
        await log_event(conn, actor_kind="relative", actor_id=person.person_id, citizen_id=power["citizen_id"],
                        action="helper_started_acting", detail={"power_id": power_id})
    return power["name"]


async def change_scopes(conn: asyncpg.Connection, viewer: Viewer, power_id: int, scopes: tuple[str, ...]) -> None:
    async with conn.transaction():
        row = await queries.update_power_scopes(conn, viewer.citizen_id, power_id, scopes)
        if row is None:
            raise PowerRefused(_("This helper no longer has a power of attorney."), 409)
        await log_event(conn, actor_kind=viewer.actor[0], actor_id=viewer.actor[1], citizen_id=viewer.citizen_id,
                        action="power_scopes_changed", detail={"power_id": power_id, "person_id": row["person_id"],
                                                               "scopes": list(scopes)})


async def revoke(conn: asyncpg.Connection, citizen_id: int, power_id: int, actor: tuple[str, int]) -> None:
    async with conn.transaction():
        row = await queries.revoke_power(conn, citizen_id, power_id)
        if row is None:
            raise PowerRefused(_("This helper no longer has a power of attorney."), 409)
        await log_event(conn, actor_kind=actor[0], actor_id=actor[1], citizen_id=citizen_id,
                        action="power_revoked", detail={"power_id": power_id, "person_id": row["person_id"]})


async def register(conn: asyncpg.Connection, staff_id: int, citizen_id: int, helper_cpr_hash: bytes,
                   helper_name: str, scopes: tuple[str, ...], source: str, document_ref: str,
                   valid_to: dt.datetime | None) -> int:
    """FSC registers a power given on paper or through Digital Fuldmagt (the advisor is the actor)."""
    async with conn.transaction():
        citizen = await queries.select_citizen_name(conn, citizen_id)
        if citizen is None:
            raise PowerRefused(_("Citizen not found."), 404)
        if citizen["cpr_hash"] == helper_cpr_hash:
            raise PowerRefused(_("The helper cannot be the citizen themself."), 409)
        person_id = await queries.upsert_helper_person(conn, helper_cpr_hash, helper_name)
        power_id = await queries.insert_power(conn, citizen_id, person_id, scopes, source, document_ref=document_ref,
                                              registered_by=staff_id, valid_to=valid_to)
        await log_event(conn, actor_kind="staff", actor_id=staff_id, citizen_id=citizen_id, action="power_registered",
                        detail={"power_id": power_id, "person_id": person_id, "source": source,
                                "document_ref": document_ref, "scopes": list(scopes),
                                "valid_to": valid_to.isoformat() if valid_to else None})
    return power_id
