"""Who is signed in."""

from __future__ import annotations

import msgspec


class Viewer(msgspec.Struct, frozen=True):
    """The signed-in citizen, as loaded from the session on each request."""

    session_hash: bytes
    citizen_id: int
    name: str
    language: str
    # Who is acting: the citizen themself (the defaults), or a helper with power of attorney
    # (actor_kind "relative", actor_id = their person id, scopes = what the power allows).
    actor_kind: str = "citizen"
    actor_id: int | None = None
    scopes: frozenset[str] | None = None

    @property
    def actor(self) -> tuple[str, int]:
        """(kind, id) for the audit log and ``placed_by``: who did it, not whose data it is."""
        return self.actor_kind, self.actor_id if self.actor_id is not None else self.citizen_id

    @property
    def helper_person_id(self) -> int | None:
        return self.actor_id if self.is_helper else None

    @property
    def is_helper(self) -> bool:
        return self.actor_kind != "citizen"


class SignedInPerson(msgspec.Struct, frozen=True):
    """Whoever holds a citizen-side session: a MitID person (``person_id``), a citizen, or both.

    A demo login has a citizen and no person; a MitID login of someone without grants has a person
    and no citizen (they see the welcome page, not the citizen pages)."""

    session_hash: bytes
    person_id: int | None
    citizen_id: int | None
    name: str
    via_provider: bool
    has_powers: bool = False
    """The person holds a live power of attorney: they may choose whom they act for."""
    power_ended: bool = False
    """The session acts for someone whose power has since ended (revoked or past its end)."""
