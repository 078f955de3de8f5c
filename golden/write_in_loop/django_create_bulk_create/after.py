from datetime import datetime

from djbooks.models import Book, Review


def import_reviews(book: Book, ratings: list[tuple[str, int]], when: datetime) -> None:
    Review.objects.bulk_create(
        [
            Review(book=book, reviewer=reviewer, rating=rating, created_at=when)
            for reviewer, rating in ratings
        ]
    )
