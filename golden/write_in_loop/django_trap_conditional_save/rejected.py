from djbooks.models import Book


def sell_one_each(books: list[Book]) -> None:
    for book in books:
        book.stock -= 1
    Book.objects.bulk_update(books, ["stock"])
