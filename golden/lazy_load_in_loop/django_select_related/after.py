from djbooks.models import Book


def in_stock() -> list[tuple[str, str]]:
    rows = []
    for book in Book.objects.filter(stock__gt=0).select_related("author"):
        rows.append((book.title, book.author.name))
    return rows
