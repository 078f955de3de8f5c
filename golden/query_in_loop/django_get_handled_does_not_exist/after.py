from djbooks.models import Book


def titles_found(book_ids: list[int]) -> list[str | None]:
    titles = []
    books_by_id = Book.objects.in_bulk(book_ids)
    for book_id in book_ids:
        try:
            book = (
                books_by_id[book_id]
                if book_id in books_by_id
                else Book.objects.get(pk=book_id)
            )
        except Book.DoesNotExist:
            titles.append(None)
            continue
        titles.append(book.title)
    return titles
