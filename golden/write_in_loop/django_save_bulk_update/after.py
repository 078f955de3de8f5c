from decimal import Decimal

from djbooks.models import Book


def discount(books: list[Book], percent: int) -> None:
    for book in books:
        book.price = (book.price * (100 - percent) / 100).quantize(Decimal("0.01"))
    Book.objects.bulk_update(books, ["price"])
