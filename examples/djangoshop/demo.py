"""Run the shop against an in-memory SQLite database and count the queries of each call.

    python examples/djangoshop/demo.py                      # results, then queries per call
    python examples/djangoshop/demo.py --quiet              # only the table
    python examples/djangoshop/demo.py --trace trace.json   # and the statements per line

Django is configured here, with the `shop` app and nothing else (no settings module, no
migrations: the tables are made from the models). The data is seeded with fixed ids,
then each service or view is called and the statements it sends are counted with
Django's `connection.execute_wrapper`, as `assertNumQueries` counts them (the
transaction control of a bulk write on SQLite, BEGIN and COMMIT, included). Run it
before and after `n1fix apply` on a copy of this folder: the results must be identical,
the queries fewer.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(
    INSTALLED_APPS=["shop"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    ROOT_URLCONF="shop.urls",
    USE_TZ=True,
    TIME_ZONE="UTC",
)
django.setup()

from asgiref.sync import async_to_sync  # noqa: E402
from django.apps import apps  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from shop import views  # noqa: E402
from shop.models import (  # noqa: E402
    CartItem,
    Category,
    Customer,
    Order,
    OrderLine,
    Product,
    Review,
    Tag,
)
from shop.services import account, catalog, inventory, orders  # noqa: E402

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)

# --- seed ---------------------------------------------------------------------------------
# Ids are fixed and not in the order of the models' Meta.ordering (categories and products
# by name, orders newest first); "Gift cards" has no products, Dev has no orders, Rooibos
# is delisted (Product.listed leaves it out).

CATEGORIES = [(1, "Tea"), (2, "Coffee"), (3, "Brewing gear"), (4, "Gift cards")]
TAGS = [(1, "organic"), (2, "bestseller"), (3, "decaf"), (4, "fair trade"), (5, "new")]
# id, category, name, sku, price, stock, listed, tag ids
PRODUCTS = [
    (1, 1, "Sencha", "TEA-001", "8.50", 40, True, [1, 2]),
    (2, 1, "Earl Grey", "TEA-002", "7.00", 25, True, [2]),
    (3, 1, "Rooibos", "TEA-003", "6.50", 0, False, [3]),
    (4, 2, "House Blend", "COF-001", "12.00", 30, True, [2, 4]),
    (5, 2, "Decaf Colombia", "COF-002", "13.50", 12, True, [3, 4, 1]),
    (6, 2, "Espresso Roast", "COF-003", "14.00", 18, True, []),
    (7, 3, "Pour-over Kettle", "GEAR-001", "45.00", 5, True, [5]),
    (8, 3, "Hand Grinder", "GEAR-002", "39.00", 7, True, [5, 2]),
]
CUSTOMERS = [
    (1, "Ana", "ana@example.com", "Lisbon"),
    (2, "Ben", "ben@example.com", "Porto"),
    (3, "Cleo", "cleo@example.com", "Braga"),
    (4, "Dev", "dev@example.com", "Faro"),
]
# id, customer, status, days after T0
ORDERS = [(1, 1, "shipped", 0), (2, 1, "placed", 2), (3, 2, "placed", 1), (4, 3, "cancelled", 3), (5, 2, "placed", 3)]
# order, product, quantity
LINES = [(1, 1, 2), (1, 7, 1), (2, 4, 1), (3, 5, 2), (3, 8, 1), (3, 2, 3), (4, 6, 1), (5, 1, 1)]
# product, customer, rating, hours after T0 (two reviews of Decaf Colombia at the same time)
REVIEWS = [(1, 1, 5, 1), (1, 2, 4, 5), (4, 3, 3, 2), (5, 1, 4, 7), (5, 2, 2, 7), (8, 3, 5, 4)]
# customer, product, quantity
CART = [(1, 2, 1), (1, 6, 2), (2, 7, 1)]


def create_tables() -> None:
    with connection.schema_editor() as editor:
        for model in apps.get_app_config("shop").get_models():
            editor.create_model(model)


def seed() -> None:
    """Bulk writes: no save(), no signals (Category's slug is set here as save() would)."""
    Category.objects.bulk_create(
        Category(id=pk, name=name, slug=name.lower().replace(" ", "-")) for pk, name in CATEGORIES
    )
    Tag.objects.bulk_create(Tag(id=pk, name=name) for pk, name in TAGS)
    Product.objects.bulk_create(
        Product(id=pk, category_id=cat, name=name, sku=sku, price=Decimal(price), stock=stock, is_listed=listed)
        for pk, cat, name, sku, price, stock, listed, _ in PRODUCTS
    )
    Product.tags.through.objects.bulk_create(
        Product.tags.through(product_id=row[0], tag_id=tag) for row in PRODUCTS for tag in row[7]
    )
    Customer.objects.bulk_create(
        Customer(id=pk, name=name, email=email, city=city) for pk, name, email, city in CUSTOMERS
    )
    Order.objects.bulk_create(
        Order(id=pk, customer_id=customer, status=status, placed_at=T0 + timedelta(days=days))
        for pk, customer, status, days in ORDERS
    )
    prices = {row[0]: Decimal(row[4]) for row in PRODUCTS}
    OrderLine.objects.bulk_create(
        OrderLine(order_id=order, product_id=product, quantity=quantity, unit_price=prices[product])
        for order, product, quantity in LINES
    )
    Review.objects.bulk_create(
        Review(product_id=product, customer_id=customer, rating=rating, created_at=T0 + timedelta(hours=hours))
        for product, customer, rating, hours in REVIEWS
    )
    CartItem.objects.bulk_create(
        CartItem(customer_id=customer, product_id=product, quantity=quantity) for customer, product, quantity in CART
    )


# --- counting -----------------------------------------------------------------------------


class Queries:
    """The statements sent through Django's connection, per step."""

    def __init__(self) -> None:
        self.total = 0
        self.steps: list[tuple[str, int]] = []

    def __call__(self, execute, sql, params, many, context):
        self.total += 1
        return execute(sql, params, many, context)

    @contextlib.contextmanager
    def measure(self, label: str) -> Iterator[None]:
        start = self.total
        yield
        self.steps.append((label, self.total - start))


# --- the tour -----------------------------------------------------------------------------


def products() -> list[Product]:
    return list(Product.objects.order_by("pk"))


def customers() -> list[Customer]:
    return list(Customer.objects.order_by("pk"))


def body(response) -> object:
    return json.loads(response.content)


def stock() -> dict[str, int]:
    return dict(Product.objects.order_by("pk").values_list("sku", "stock"))


def run_steps(queries: Queries, out: Callable[[str], None]) -> None:
    requests = RequestFactory()

    def step(label: str, call: Callable[[], object], show: Callable[[object], object] = repr) -> None:
        with queries.measure(label):
            result = call()
        out(f"\n## {label}")
        shown = show(result)
        for line in shown if isinstance(shown, list) else [shown]:
            out(f"  {line}")

    # reads
    step("views.category_pages", lambda: views.category_pages(requests.get("/categories/")), body)
    step(
        "views.recently_viewed(5, 1, 8, 1)",
        lambda: views.recently_viewed(requests.get("/recent/", {"id": [5, 1, 8, 1]})),
        body,
    )
    step("catalog.review_counts", lambda: catalog.review_counts(products()), repr)
    step("catalog.latest_reviews", lambda: catalog.latest_reviews(products()), repr)
    step("catalog.tagged_products", catalog.tagged_products, list)
    step("catalog.price_list", catalog.price_list, list)
    step("catalog.tag_cloud", catalog.tag_cloud, repr)
    step("catalog.export_catalogue", catalog.export_catalogue, list)
    step("orders.order_summary(3)", lambda: orders.order_summary(3), list)
    step("views.order_history(ana)", lambda: views.order_history(requests.get("/customers/1/orders/"), 1), body)
    step("orders.orders_by_customer", lambda: orders.orders_by_customer(customers()), repr)
    step(
        "views.account_page(ben) [async]",
        lambda: async_to_sync(views.account_page)(requests.get("/customers/2/"), 2),
        body,
    )
    step(
        "account.orders_per_customer [async]",
        lambda: async_to_sync(account.orders_per_customer)(customers()),
        repr,
    )
    step("inventory.top_sellers(3)", lambda: inventory.top_sellers(3), list)

    # writes: each shows what it wrote
    step(
        "inventory.reprice(coffee, +10%)",
        lambda: inventory.reprice(list(Product.objects.filter(category_id=2).order_by("pk")), 10),
        lambda _: [f"{sku} {price}" for sku, price in Product.objects.order_by("pk").values_list("sku", "price")],
    )
    step(
        "inventory.add_tags(limited, gift)",
        lambda: inventory.add_tags(["limited", "gift"]),
        lambda _: list(Tag.objects.order_by("pk").values_list("pk", "name")),
    )
    step(
        "orders.checkout(ana)",
        lambda: orders.checkout(Customer.objects.get(pk=1), T0 + timedelta(days=10)),
        lambda order: [
            f"order #{order.pk} {order.status}",
            list(order.lines.order_by("pk").values_list("pk", "product_id", "quantity", "unit_price")),
            f"stock {stock()}",
            f"carts {list(CartItem.objects.order_by('pk').values_list('customer_id', 'product_id'))}",
        ],
    )
    step(
        "orders.ship(2, 3, 4)",
        lambda: orders.ship([2, 3, 4]),
        lambda _: list(Order.objects.order_by("pk").values_list("pk", "status")),
    )
    step(
        "orders.double_cart_quantities(ben)",
        lambda: orders.double_cart_quantities(Customer.objects.get(pk=2)),
        lambda _: list(CartItem.objects.order_by("pk").values_list("pk", "quantity")),
    )
    step(
        "inventory.restock(rooibos 10, espresso 5)",
        lambda: inventory.restock({3: 10, 6: 5}),
        lambda _: f"stock {stock()}",
    )
    step(
        "inventory.rename_categories(3)",
        lambda: inventory.rename_categories({3: "Brewing Gear"}),
        lambda _: list(Category.objects.order_by("pk").values_list("name", "slug")),
    )
    step("inventory.tag_ids(organic, seasonal)", lambda: inventory.tag_ids(["organic", "seasonal"]), repr)
    step(
        "inventory.delist_category(3)",
        lambda: inventory.delist_category(3),
        lambda _: list(Product.objects.order_by("pk").values_list("sku", "is_listed")),
    )
    step("views.category_pages after the writes", lambda: views.category_pages(requests.get("/categories/")), body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="print only the table of queries")
    parser.add_argument(
        "--trace", type=Path, help="also record the statements each line sent, for `n1fix audit --trace` (needs n1fix)"
    )
    args = parser.parse_args(argv)

    create_tables()
    seed()
    queries = Queries()
    out = (lambda line: None) if args.quiet else print
    out("# djangoshop demo (SQLite in memory)")
    recording = contextlib.nullcontext()
    if args.trace:
        from n1fix.trace import record_round_trips

        recording = record_round_trips(args.trace, root=HERE)
    with recording, connection.execute_wrapper(queries):
        run_steps(queries, out)

    width = max(len(label) for label, _ in queries.steps)
    print("\n# SQL queries")
    for label, count in queries.steps:
        print(f"  {label:<{width}}  {count:>4}")
    print(f"  {'total':<{width}}  {sum(count for _, count in queries.steps):>4}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
