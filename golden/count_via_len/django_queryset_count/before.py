from djbooks.models import Review


def review_count(book_id: int) -> int:
    return len(Review.objects.filter(book_id=book_id))
