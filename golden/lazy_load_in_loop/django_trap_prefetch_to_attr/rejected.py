from django.db.models import Prefetch

from djbooks.models import Book, Tag


def shelf_tags() -> dict[str, list[str]]:
    books = Book.objects.prefetch_related(
        Prefetch("tags", queryset=Tag.objects.filter(name__in=["classic", "poetry"]), to_attr="shelf_tags")
    ).prefetch_related("tags")
    return {book.title: [tag.name for tag in book.shelf_tags] for book in books}
