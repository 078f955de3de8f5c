"""Albums 1-4 (2 and 4 archived; 4 has no photos), photos 1-5; folders 1-3 named
"old-1", "old-2", "keep" with notes 1-4 (folder 2 has none); boards 1-2 with pins and
followers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from purgeapp.models import Album, Board, Folder, Follower, Note, Photo, Pin


def seed(session: Session) -> None:
    session.add_all(
        [
            Album(id=1, title="summer", archived=False),
            Album(id=2, title="winter", archived=True),
            Album(id=3, title="spring", archived=False),
            Album(id=4, title="autumn", archived=True),
        ]
    )
    session.add_all(
        [
            Folder(id=1, name="old-1"),
            Folder(id=2, name="old-2"),
            Folder(id=3, name="keep"),
        ]
    )
    session.add_all([Board(id=1, name="garden"), Board(id=2, name="kitchen")])
    session.flush()
    session.add_all(
        [
            Photo(id=1, album_id=1, name="beach"),
            Photo(id=2, album_id=2, name="snow"),
            Photo(id=3, album_id=2, name="ice"),
            Photo(id=4, album_id=3, name="bloom"),
            Photo(id=5, album_id=2, name="fog"),
        ]
    )
    session.add_all(
        [
            Note(id=1, folder_id=1, text="call back"),
            Note(id=2, folder_id=1, text="buy paint"),
            Note(id=3, folder_id=3, text="plan trip"),
            Note(id=4, folder_id=None, text="loose"),
        ]
    )
    session.add_all(
        [
            Pin(id=1, board_id=1, url="https://example.org/roses"),
            Pin(id=2, board_id=2, url="https://example.org/bread"),
            Follower(id=1, board_id=1, name="ana"),
            Follower(id=2, board_id=2, name="ben"),
        ]
    )
    session.flush()
