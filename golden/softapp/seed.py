"""Categories "books" (deleted, then re-created live), "games" and "music"; shop 1 already
carries "games", shop 2 carries nothing. Labels "Sale", "sale" and "New"; shop 1 carries
"new"."""

from __future__ import annotations

from sqlalchemy.orm import Session

from softapp.models import Category, Label, Shop, ShopCategory, ShopLabel


def seed(session: Session) -> None:
    session.add_all(
        [
            Category(id=1, code="books", deleted=True),
            Category(id=2, code="games", deleted=False),
            Category(id=3, code="books", deleted=False),
            Category(id=4, code="music", deleted=False),
        ]
    )
    session.add_all([Shop(id=1, name="north"), Shop(id=2, name="south")])
    session.flush()
    session.add(ShopCategory(shop_id=1, code="games"))
    session.add_all(
        [Label(id=1, name="Sale"), Label(id=2, name="sale"), Label(id=3, name="New")]
    )
    session.add(ShopLabel(shop_id=1, name="New"))
    session.flush()
