from djbooks.models import Book, Review


def top_rated(books: list[Book]) -> list[str]:
    titles = []
    book_ids = [book.pk for book in books]
    book_ids_with_reviews = set()
    if book_ids:
        book_ids_with_reviews = set(
            Review.objects.filter(book__in=book_ids, rating=5)
            .values_list("book", flat=True)
        )
    for book in books:
        if book.pk in book_ids_with_reviews:
            titles.append(book.title)
    return titles
