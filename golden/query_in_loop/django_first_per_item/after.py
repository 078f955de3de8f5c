from djbooks.models import Book, Review


def latest_reviewers(books: list[Book]) -> dict[str, str | None]:
    latest = {}
    book_ids = [book.pk for book in books]
    first_review_by_book = {}
    if book_ids:
        for book_review in Review.objects.filter(book__in=book_ids).order_by(
            "-created_at", "-id"
        ):
            first_review_by_book.setdefault(book_review.book_id, book_review)
    for book in books:
        review = first_review_by_book.get(book.pk)
        latest[book.title] = review.reviewer if review else None
    return latest
