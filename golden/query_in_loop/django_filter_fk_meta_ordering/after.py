from collections import defaultdict

from djbooks.models import Author, Book


def books_by_author(authors: list[Author]) -> dict[int, list[Book]]:
    result = {}
    author_ids = [author.pk for author in authors]
    books_by_author_id = defaultdict(list)
    if author_ids:
        for book in Book.objects.filter(author__in=author_ids):
            books_by_author_id[book.author_id].append(book)
    for author in authors:
        result[author.id] = list(books_by_author_id.get(author.pk, []))
    return result
