from djbooks.models import Author, Book


def books_by_author(authors: list[Author]) -> dict[int, list[Book]]:
    result = {}
    for author in authors:
        result[author.id] = list(Book.objects.filter(author=author))
    return result
