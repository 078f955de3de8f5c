"""Tokens 1-3; groups "red", "green" and "blue" (plain) and "auto" (smart); token 1 is
in "red"; token 1 has the infos hashlib=sha1 and timeStep=30."""

from __future__ import annotations

from sqlalchemy.orm import Session

from groupapp.models import SmartGroup, Token, Tokengroup, TokenInfo, TokenTokengroup


def seed(session: Session) -> None:
    session.add_all([Token(id=n, serial=f"TOTP{n:04}") for n in (1, 2, 3)])
    session.add_all([Tokengroup(name) for name in ("red", "green", "blue")])
    session.add(SmartGroup("auto"))
    session.flush()
    session.add(TokenTokengroup(tokengroup_id=1, token_id=1))
    session.add_all([TokenInfo(1, "hashlib", "sha1"), TokenInfo(1, "timeStep", 30)])
    session.flush()
