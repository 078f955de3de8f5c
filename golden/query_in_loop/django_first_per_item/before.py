from djbooks.models import Book, Review


def latest_reviewers(books: list[Book]) -> dict[str, str | None]:
    latest = {}
    for book in books:
        review = Review.objects.filter(book=book).order_by("-created_at", "-id").first()
        latest[book.title] = review.reviewer if review else None
    return latest
