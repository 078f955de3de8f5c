from collections import defaultdict

from djbooks.models import Author, Book


def published_titles(authors: list[Author]) -> dict[str, list[str]]:
    titles = {}
    author_ids = [author.pk for author in authors]
    books_by_author = defaultdict(list)
    if author_ids:
        for book in Book.published.filter(author__in=author_ids):
            books_by_author[book.author_id].append(book)
    for author in authors:
        titles[author.name] = [book.title for book in books_by_author.get(author.pk, [])]
    return titles
