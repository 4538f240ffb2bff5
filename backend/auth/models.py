"""Who is signed in."""

from __future__ import annotations

import msgspec


class Viewer(msgspec.Struct, frozen=True):
    """The signed-in citizen, as loaded from the session on each request."""

    session_hash: bytes
    citizen_id: int
    name: str
    language: str
