from django.db.models import Count

from djbooks.models import Book


def review_counts() -> list[tuple[str, int]]:
    rows = []
    for book in Book.published.annotate(review_count=Count("reviews", distinct=True)):
        rows.append((book.title, book.review_count))
    return rows
