from sqlalchemy import select
from sqlalchemy.orm import Session

from softapp.models import Label, Shop, ShopLabel


def label_shop(session: Session, shop: Shop) -> int:
    """Give `shop` every label it does not carry yet."""
    added = 0
    labels = session.scalars(select(Label).order_by(Label.id)).all()
    label_names = [label.name for label in labels]
    first_shop_label_by_name = {}
    if label_names:
        for shop_label in session.scalars(
            select(ShopLabel).where(ShopLabel.shop_id == shop.id, ShopLabel.name.in_(label_names))
        ):
            first_shop_label_by_name.setdefault(shop_label.name, shop_label)
    for label in labels:
        existing = first_shop_label_by_name.get(label.name)
        if existing is None:
            session.add(ShopLabel(shop_id=shop.id, name=label.name))
            added += 1
    session.flush()
    return added
