"""Deterministic data for the Django golden scenarios.

What the scenarios lean on (ids are fixed):
- publisher 3 has no authors; author 4 (Dan) has no publisher and no books;
- book ids are not in title order (Book's Meta.ordering), nor tag ids in name order (Tag's);
- books 3 (Ada) and 7 (Cleo) are not published (Book.published leaves them out) and have
  no reviews and no tags;
- review ratings tie within a book (book 1: 4 and 4, book 4: 5 and 5): only an order_by
  that ends in the primary key is deterministic;
- loans 1, 2 and 4 are out, 3 came back; sales 1 and 2 are already taken from the stock;
- edition code "SR" is held by edition 1 (in print) and edition 2 (retired);
- notes 2 and 4 are hidden (Note's default manager, and so `book.notes`, leaves them out);
  note 2 is pinned.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.utils.text import slugify

from djbooks.models import (
    Author,
    Book,
    Edition,
    Loan,
    Note,
    Publisher,
    Review,
    Sale,
    Tag,
)

BASE_TIME = datetime(2024, 3, 1, 9, 0, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return BASE_TIME + timedelta(minutes=minutes)


PUBLISHERS = [(1, "Harbor Press"), (2, "Quill & Ink"), (3, "Northwind Books")]
AUTHORS = [(1, "Ada", 1), (2, "Ben", 1), (3, "Cleo", 2), (4, "Dan", None)]
# id, isbn, code, in print, slug: code "SR" is one edition in print and one retired
EDITIONS = [
    (1, "9780000000011", "SR", True, "salt-road"),
    (2, "9780000000028", "SR", False, "salt-road-first"),
    (3, "9780000000035", "WG", True, "winter-garden"),
]
TAGS = [(1, "mystery"), (2, "classic"), (3, "travel"), (4, "fantasy"), (5, "poetry")]
# id, author, title, pages, price, stock, is_published, tag ids
BOOKS = [
    (1, 1, "The Salt Road", 320, "18.50", 5, True, [1, 3]),
    (2, 1, "A Winter Garden", 210, "12.00", 4, True, [2]),
    (3, 1, "Marrow", 150, "9.99", 0, False, []),
    (4, 2, "Lanterns", 400, "22.00", 7, True, [4, 2, 5]),
    (5, 2, "Dust and Brass", 280, "15.00", 3, True, [4]),
    (6, 3, "Orchard Hours", 190, "11.50", 2, True, [5, 3]),
    (7, 3, "Blue Hour", 240, "14.00", 6, False, []),
    (8, 3, "Night Ferry", 330, "19.00", 1, True, [1]),
]
# id, book, reviewer, rating, minute
REVIEWS = [
    (1, 1, "kim", 4, 10),
    (2, 1, "lou", 5, 12),
    (3, 1, "max", 4, 11),
    (4, 2, "kim", 3, 13),
    (5, 4, "noa", 5, 14),
    (6, 4, "kim", 5, 15),
    (7, 4, "lou", 2, 16),
    (8, 5, "max", 4, 17),
    (9, 6, "noa", 1, 18),
    (10, 8, "lou", 5, 19),
    (11, 8, "kim", 3, 20),
    (12, 1, "noa", 2, 21),
]
SALES = [(1, 1, 1, 30), (2, 4, 2, 31)]
# id, book, borrower, returned
LOANS = [
    (1, 1, "kim", False),
    (2, 2, "lou", False),
    (3, 4, "noa", True),
    (4, 6, "max", False),
]
# id, book, text, pinned, hidden
NOTES = [
    (1, 1, "signed copy", True, False),
    (2, 1, "water damage", True, True),
    (3, 4, "first edition", True, False),
    (4, 4, "spine cracked", False, True),
    (5, 6, "gift wrap", False, False),
]


def seed() -> None:
    """Write the rows through the default connection (bulk_create: no save(), no signals)."""
    Publisher.objects.bulk_create(
        Publisher(id=id_, name=name, slug=slugify(name)) for id_, name in PUBLISHERS
    )
    Author.objects.bulk_create(
        Author(id=id_, name=name, publisher_id=publisher)
        for id_, name, publisher in AUTHORS
    )
    Tag.objects.bulk_create(Tag(id=id_, name=name) for id_, name in TAGS)
    Edition.objects.bulk_create(
        Edition(id=id_, isbn=isbn, code=code, in_print=in_print, slug=slug)
        for id_, isbn, code, in_print, slug in EDITIONS
    )
    Book.objects.bulk_create(
        Book(
            id=id_,
            author_id=author,
            title=title,
            pages=pages,
            price=Decimal(price),
            stock=stock,
            is_published=published,
        )
        for id_, author, title, pages, price, stock, published, _ in BOOKS
    )
    Book.tags.through.objects.bulk_create(
        Book.tags.through(book_id=book[0], tag_id=tag)
        for book in BOOKS
        for tag in book[7]
    )
    Review.objects.bulk_create(
        Review(id=id_, book_id=book, reviewer=who, rating=rating, created_at=at(minute))
        for id_, book, who, rating, minute in REVIEWS
    )
    Sale.objects.bulk_create(
        Sale(id=id_, book_id=book, quantity=quantity, sold_at=at(minute))
        for id_, book, quantity, minute in SALES
    )
    # bulk_create sets auto_now fields too: pin them to the seed's time afterwards
    Loan.objects.bulk_create(
        Loan(id=id_, book_id=book, borrower=who, returned=returned)
        for id_, book, who, returned in LOANS
    )
    Loan.objects.update(updated_at=at(0))
    Note.objects.bulk_create(
        Note(id=id_, book_id=book, text=text, pinned=pinned, hidden=hidden)
        for id_, book, text, pinned, hidden in NOTES
    )
