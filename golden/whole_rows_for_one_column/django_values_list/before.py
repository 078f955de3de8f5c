from djbooks.models import Book


def long_book_titles(pages: int) -> list[str]:
    return [book.title for book in Book.objects.filter(pages__gt=pages).order_by("id")]


def long_book_ids(pages: int) -> list[int]:
    return [book.pk for book in Book.objects.filter(pages__gt=pages)]
