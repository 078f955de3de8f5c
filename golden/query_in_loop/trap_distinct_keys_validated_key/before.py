from sqlalchemy import select
from sqlalchemy.orm import Session

from softapp.models import Label, Shop, ShopLabel


def label_shop(session: Session, shop: Shop) -> int:
    """Give `shop` every label it does not carry yet."""
    added = 0
    for label in session.scalars(select(Label).order_by(Label.id)).all():
        existing = session.scalars(
            select(ShopLabel).where(ShopLabel.shop_id == shop.id, ShopLabel.name == label.name)
        ).first()
        if existing is None:
            session.add(ShopLabel(shop_id=shop.id, name=label.name))
            added += 1
    session.flush()
    return added
