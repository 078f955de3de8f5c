"""What the storefront shows: category pages, product cards, tags and ratings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shop.models import Category, Product, Review, Tag


@dataclass
class ProductCard:
    name: str
    price: Decimal
    category: str


def category_pages() -> dict[str, list[str]]:
    """Every category with the names of its listed products, in the catalogue's order."""
    pages = {}
    for category in Category.objects.all():
        pages[category.slug] = [product.name for product in Product.listed.filter(category=category)]
    return pages


def product_cards(product_ids: list[int]) -> list[ProductCard]:
    """The cards of the products a customer has recently viewed, most recent first."""
    cards = []
    for product_id in product_ids:
        product = Product.objects.get(pk=product_id)
        cards.append(ProductCard(product.name, product.price, product.category.name))
    return cards


def review_counts(products: list[Product]) -> dict[str, int]:
    counts = {}
    for product in products:
        counts[product.sku] = Review.objects.filter(product=product).count()
    return counts


def latest_reviews(products: list[Product]) -> dict[str, str | None]:
    """The newest review of each product, as `rating/5 by name`."""
    latest = {}
    for product in products:
        review = Review.objects.filter(product=product).order_by("-created_at", "-id").first()
        latest[product.sku] = f"{review.rating}/5 by {review.customer_id}" if review else None
    return latest


def tagged_products() -> list[tuple[str, list[str]]]:
    """The listed products with their tags, for the search index."""
    rows = []
    for product in Product.listed.all():
        rows.append((product.name, [tag.name for tag in product.tags.all()]))
    return rows


def price_list() -> list[str]:
    """Clean: the category comes with each product in the same query."""
    return [
        f"{product.category.name} / {product.name}: {product.price}"
        for product in Product.listed.select_related("category")
    ]


def tag_cloud() -> dict[str, list[str]]:
    """Clean: the products of every tag come in one more query."""
    return {tag.name: [p.sku for p in tag.products.all()] for tag in Tag.objects.prefetch_related("products")}


def export_catalogue() -> list[str]:
    """Streams every product for the nightly feed, with its tags.

    iterator() keeps memory flat on a large catalogue; a prefetch would need a
    chunk_size and change how many rows are held at once, so n1fix offers that fix
    only as unsafe.
    """
    lines = []
    for product in Product.objects.order_by("pk").iterator():
        lines.append(f"{product.sku};{','.join(tag.name for tag in product.tags.all())}")
    return lines
