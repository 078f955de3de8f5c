from djbooks.models import Book


def sell_one_each(books: list[Book]) -> None:
    for book in books:
        book.stock -= 1
        if book.stock > 0:
            book.save(update_fields=["stock"])
