from djbooks.models import Author, Book


def authors_with_books() -> list[tuple[str, bool]]:
    rows = []
    for author in Author.objects.order_by("name"):
        rows.append((author.name, author.books.exists()))
    return rows


def titles() -> list[str]:
    return list(Book.objects.order_by("pk").values_list("title", flat=True))
