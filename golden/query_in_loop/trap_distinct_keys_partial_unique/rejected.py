from sqlalchemy import select
from sqlalchemy.orm import Session

from softapp.models import Category, Shop, ShopCategory


def stock_every_category(session: Session, shop: Shop) -> int:
    """Give `shop` every category code of the catalogue it does not carry yet."""
    added = 0
    categories = session.scalars(select(Category).order_by(Category.id)).all()
    category_codes = [category.code for category in categories]
    first_shop_category_by_code = {}
    if category_codes:
        for shop_category in session.scalars(
            select(ShopCategory).where(ShopCategory.shop_id == shop.id, ShopCategory.code.in_(category_codes))
        ):
            first_shop_category_by_code.setdefault(shop_category.code, shop_category)
    for category in categories:
        existing = first_shop_category_by_code.get(category.code)
        if existing is None:
            session.add(ShopCategory(shop_id=shop.id, code=category.code))
            added += 1
    session.flush()
    return added
