from datetime import UTC, datetime

from djbooks.models import Book

WHEN = datetime(2024, 3, 2, 12, 0, tzinfo=UTC)


def run(module):
    # three new reviews of book 5: ids 13-15 in the order given, in both versions
    book = Book.objects.get(pk=5)
    module.import_reviews(book, [("ivy", 4), ("kim", 2), ("ivy", 5)], WHEN)


def run_empty(module):
    module.import_reviews(Book(pk=5), [], WHEN)
