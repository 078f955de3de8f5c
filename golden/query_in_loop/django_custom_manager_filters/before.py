from djbooks.models import Author, Book


def published_titles(authors: list[Author]) -> dict[str, list[str]]:
    titles = {}
    for author in authors:
        titles[author.name] = [book.title for book in Book.published.filter(author=author)]
    return titles
