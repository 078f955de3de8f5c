from djbooks.models import Book, Review


def top_rated(books: list[Book]) -> list[str]:
    titles = []
    for book in books:
        if Review.objects.filter(book=book, rating=5).exists():
            titles.append(book.title)
    return titles
