from django.db.models import Count

from djbooks.models import Book, Review


def review_counts(books: list[Book]) -> list[tuple[str, int]]:
    rows = []
    book_ids = [book.pk for book in books]
    review_counts_by_book = {}
    if book_ids:
        review_counts_by_book = dict(
            Review.objects.filter(book__in=book_ids)
            .values_list("book")
            .annotate(count=Count("pk"))
            .order_by()
        )
    for book in books:
        rows.append((book.title, review_counts_by_book.get(book.pk, 0)))
    return rows
