from djbooks.models import Book


def titles(book_ids: list[int]) -> list[str]:
    titles = []
    books_by_id = Book.objects.in_bulk(book_ids)
    for book_id in book_ids:
        if book_id not in books_by_id:
            raise Book.DoesNotExist("Book matching query does not exist.")
        book = books_by_id[book_id]
        titles.append(book.title)
    return titles
