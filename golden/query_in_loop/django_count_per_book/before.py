from djbooks.models import Book, Review


def review_counts(books: list[Book]) -> list[tuple[str, int]]:
    rows = []
    for book in books:
        rows.append((book.title, Review.objects.filter(book=book).count()))
    return rows
