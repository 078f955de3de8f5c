from djbooks.models import Book


def titles(book_ids: list[int]) -> list[str]:
    titles = []
    for book_id in book_ids:
        book = Book.objects.get(pk=book_id)
        titles.append(book.title)
    return titles
