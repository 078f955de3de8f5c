from djbooks.models import Book


def titles_found(book_ids: list[int]) -> list[str | None]:
    titles = []
    for book_id in book_ids:
        try:
            book = Book.objects.get(pk=book_id)
        except Book.DoesNotExist:
            titles.append(None)
            continue
        titles.append(book.title)
    return titles
