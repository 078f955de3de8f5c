from djbooks.models import Book


def long_book_titles(pages: int) -> list[str]:
    return list(Book.objects.filter(pages__gt=pages).order_by("id").values_list("title", flat=True))


def long_book_ids(pages: int) -> list[int]:
    return list(Book.objects.filter(pages__gt=pages).values_list("pk", flat=True))
