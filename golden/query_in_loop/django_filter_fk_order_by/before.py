from djbooks.models import Book, Review


def reviewers(books: list[Book]) -> list[tuple[str, list[str]]]:
    rows = []
    for book in books:
        reviews = Review.objects.filter(book_id=book.id).order_by("-rating", "id")
        rows.append((book.title, [review.reviewer for review in reviews]))
    return rows
