from djbooks.models import Book


def titles(book_ids: list[int]) -> list[str]:
    titles = []
    books_by_id = Book.objects.in_bulk(book_ids)
    for book_id in book_ids:
        book = (
            books_by_id[book_id]
            if book_id in books_by_id
            else Book.objects.get(pk=book_id)
        )
        titles.append(book.title)
    return titles
