from django.db.models import Prefetch

from djbooks.models import Author, Book


def published_titles() -> dict[str, list[str]]:
    titles = {}
    for author in Author.objects.prefetch_related(
        Prefetch("books", queryset=Book.objects.filter(is_published=True), to_attr="published_books")
    ).iterator():
        titles[author.name] = [book.title for book in author.published_books]
    return titles
