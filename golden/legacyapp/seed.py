"""Deterministic data for the 1.x Query API scenarios.

- author 3 (Ines) has no posts; posts 2, 3 and 4 share created_at (ties);
- posts 2 and 5 have no comments;
- customer 3 has no orders; customers 1 and 2 have several paid orders (repeated keys).
"""

from datetime import datetime, timedelta

from legacyapp.models import Author, Comment, Customer, Order, OrderLine, Post

BASE_TIME = datetime(2023, 11, 6, 8, 30, 0)


def at(minutes):
    return BASE_TIME + timedelta(minutes=minutes)


def seed(session):
    session.add_all(
        [
            Author(id=1, name="Mira Holm", email="mira@example.org"),
            Author(id=2, name="Tomasz Wrona", email="tomasz@example.org"),
            Author(id=3, name="Ines Vidal", email="ines@example.org"),
        ]
    )
    session.add_all(
        [
            Post(id=1, author_id=1, title="Hello, world", published=True, created_at=at(0)),
            Post(id=2, author_id=1, title="Indexes 101", published=True, created_at=at(5)),
            Post(id=3, author_id=2, title="Why we left cron", published=True, created_at=at(5)),
            Post(id=4, author_id=1, title="Draft: query plans", published=False, created_at=at(5)),
            Post(id=5, author_id=2, title="Release notes 2.3", published=True, created_at=at(9)),
        ]
    )
    session.add_all(
        [
            Comment(id=1, post_id=1, author_name="sam", body="First!", created_at=at(10)),
            Comment(id=2, post_id=1, author_name="lee", body="Welcome", created_at=at(11)),
            Comment(id=3, post_id=1, author_name="kim", body="Nice theme", created_at=at(11)),
            Comment(id=4, post_id=3, author_name="sam", body="Same here", created_at=at(12)),
            Comment(id=5, post_id=3, author_name="ana", body="What about k8s cronjobs?", created_at=at(13)),
            Comment(id=6, post_id=4, author_name="mira", body="note to self", created_at=at(14)),
        ]
    )
    session.add_all(
        [
            Customer(id=1, name="Harbor Coffee", email="orders@harbor.example"),
            Customer(id=2, name="Nordlicht GmbH", email="einkauf@nordlicht.example"),
            Customer(id=3, name="Quiet Corp", email="buying@quiet.example"),
        ]
    )
    session.add_all(
        [
            Order(id=1, customer_id=1, status="paid", placed_at=at(100)),
            Order(id=2, customer_id=2, status="paid", placed_at=at(100)),
            Order(id=3, customer_id=1, status="pending", placed_at=at(101)),
            Order(id=4, customer_id=1, status="paid", placed_at=at(102)),
            Order(id=5, customer_id=2, status="paid", placed_at=at(103)),
        ]
    )
    session.add_all(
        [
            OrderLine(id=1, order_id=1, sku="BEAN-1KG", quantity=3, unit_price_cents=2400),
            OrderLine(id=2, order_id=1, sku="FILTER-100", quantity=1, unit_price_cents=600),
            OrderLine(id=3, order_id=2, sku="BEAN-1KG", quantity=10, unit_price_cents=2300),
            OrderLine(id=4, order_id=4, sku="MUG", quantity=6, unit_price_cents=900),
            OrderLine(id=5, order_id=5, sku="BEAN-250G", quantity=4, unit_price_cents=800),
        ]
    )
    session.flush()
