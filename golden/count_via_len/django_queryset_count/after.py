from djbooks.models import Review


def review_count(book_id: int) -> int:
    return Review.objects.filter(book_id=book_id).count()
