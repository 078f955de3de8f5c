from djbooks.models import Book


def author_ids_in_stock() -> list[tuple[str, int]]:
    rows = []
    for book in Book.objects.filter(stock__gt=0).prefetch_related("author"):
        rows.append((book.title, book.author.pk))
    return rows
