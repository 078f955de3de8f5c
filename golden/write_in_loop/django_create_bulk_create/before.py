from datetime import datetime

from djbooks.models import Book, Review


def import_reviews(book: Book, ratings: list[tuple[str, int]], when: datetime) -> None:
    for reviewer, rating in ratings:
        Review.objects.create(book=book, reviewer=reviewer, rating=rating, created_at=when)
