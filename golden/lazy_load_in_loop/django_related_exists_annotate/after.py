from django.db.models import Exists, OuterRef

from djbooks.models import Author, Book


def authors_with_books() -> list[tuple[str, bool]]:
    rows = []
    for author in (
        Author.objects.order_by("name")
        .annotate(has_books=Exists(Book.objects.filter(author=OuterRef("pk"))))
    ):
        rows.append((author.name, author.has_books))
    return rows


def titles() -> list[str]:
    return list(Book.objects.order_by("pk").values_list("title", flat=True))
