"""Who is signed in."""

from __future__ import annotations

import msgspec


class Viewer(msgspec.Struct, frozen=True):
    """The signed-in citizen, as loaded from the session on each request."""

    session_hash: bytes
    citizen_id: int
    name: str
    language: str


class SignedInPerson(msgspec.Struct, frozen=True):
    """Whoever holds a citizen-side session: a MitID person (``person_id``), a citizen, or both.

    A demo login has a citizen and no person; a MitID login of someone without grants has a person
    and no citizen (they see the welcome page, not the citizen pages)."""

    session_hash: bytes
    person_id: int | None
    citizen_id: int | None
    name: str
    via_provider: bool
