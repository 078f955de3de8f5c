from django.db.models import Prefetch

from djbooks.models import Author, Book


def drafts_before_publishing() -> dict[str, list[str]]:
    drafts = {}
    for author in Author.objects.order_by("name").prefetch_related(
        Prefetch("books", queryset=Book.objects.filter(is_published=False), to_attr="not_published_books")
    ):
        drafts[author.name] = [book.title for book in author.not_published_books]
        # short drafts go out at once, whoever wrote them
        Book.objects.filter(is_published=False, pages__lt=300).update(is_published=True)
    return drafts
