from django.db.models import Prefetch

from djbooks.models import Author, Book, Tag


def shelves() -> dict[str, tuple[list[str], list[str]]]:
    shelves = {}
    for author in (
        Author.objects.filter(publisher__isnull=False)
        .prefetch_related(
            Prefetch(
                "books",
                queryset=Book.objects.filter(is_published=True).order_by("-pages"),
                to_attr="published_books",
            ),
            Prefetch(
                "books",
                queryset=Book.objects.filter(is_published=False),
                to_attr="not_published_books",
            ),
        )
    ):
        published = [book.title for book in author.published_books]
        drafts = [book.title for book in author.not_published_books]
        shelves[author.name] = (published, drafts)
    return shelves


def tags_but(excluded: str) -> dict[str, list[str]]:
    return {
        book.title: [tag.name for tag in book.filtered_tags]
        for book in (
            Book.objects.filter(is_published=True)
            .prefetch_related(
                Prefetch(
                    "tags",
                    queryset=Tag.objects.exclude(name=excluded),
                    to_attr="filtered_tags",
                )
            )
        )
    }
