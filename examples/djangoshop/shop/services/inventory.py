"""Back-office jobs: prices, restocking, categories and tags."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from shop.models import Category, Product, StockMovement, Tag


@transaction.atomic
def reprice(products: list[Product], percent: int) -> None:
    """Raise (or cut) every price by `percent`, to the cent."""
    for product in products:
        product.price = (product.price * (100 + percent) / 100).quantize(Decimal("0.01"))
        product.save(update_fields=["price"])


@transaction.atomic
def delist_category(category_id: int) -> None:
    for product in Product.objects.filter(category_id=category_id):
        product.is_listed = False
        product.save(update_fields=["is_listed"])


@transaction.atomic
def add_tags(names: list[str]) -> None:
    for name in names:
        Tag.objects.create(name=name)


@transaction.atomic
def restock(quantities: dict[int, int]) -> None:
    """Left alone: the post_save receiver of StockMovement moves the stock."""
    for product_id, quantity in quantities.items():
        StockMovement.objects.create(product_id=product_id, change=quantity, reason="restock")


@transaction.atomic
def rename_categories(names: dict[int, str]) -> None:
    """Left alone: Category.save() sets the slug from the name."""
    for category in Category.objects.filter(pk__in=names):
        category.name = names[category.pk]
        category.save()


@transaction.atomic
def tag_ids(names: list[str]) -> list[int]:
    """Left alone: get_or_create() per name (reported, no fix)."""
    ids = []
    for name in names:
        tag, _ = Tag.objects.get_or_create(name=name)
        ids.append(tag.pk)
    return ids


def top_sellers(limit: int) -> list[str]:
    """Clean: one query with a join, a GROUP BY and a LIMIT."""
    rows = (
        Product.objects.annotate(sold=Sum("order_lines__quantity"))
        .filter(sold__isnull=False)
        .order_by("-sold", "pk")[:limit]
    )
    return [f"{product.name}: {product.sold}" for product in rows]
