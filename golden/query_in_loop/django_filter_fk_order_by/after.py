from collections import defaultdict

from djbooks.models import Book, Review


def reviewers(books: list[Book]) -> list[tuple[str, list[str]]]:
    rows = []
    book_ids = [book.id for book in books]
    reviews_by_book = defaultdict(list)
    if book_ids:
        for review in Review.objects.filter(book_id__in=book_ids).order_by(
            "-rating", "id"
        ):
            reviews_by_book[review.book_id].append(review)
    for book in books:
        reviews = reviews_by_book.get(book.id, [])
        rows.append((book.title, [review.reviewer for review in reviews]))
    return rows
