from sqlalchemy import select
from sqlalchemy.orm import Session

from softapp.models import Category, Shop, ShopCategory


def stock_every_category(session: Session, shop: Shop) -> int:
    """Give `shop` every category code of the catalogue it does not carry yet."""
    added = 0
    for category in session.scalars(select(Category).order_by(Category.id)).all():
        existing = session.scalars(
            select(ShopCategory).where(ShopCategory.shop_id == shop.id, ShopCategory.code == category.code)
        ).first()
        if existing is None:
            session.add(ShopCategory(shop_id=shop.id, code=category.code))
            added += 1
    session.flush()
    return added
