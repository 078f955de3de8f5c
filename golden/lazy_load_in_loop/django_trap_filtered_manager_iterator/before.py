from djbooks.models import Author


def published_titles() -> dict[str, list[str]]:
    titles = {}
    for author in Author.objects.iterator():
        titles[author.name] = [book.title for book in author.books.filter(is_published=True)]
    return titles
