from djbooks.models import Author, Book


def shelves() -> dict[str, tuple[list[str], list[str]]]:
    shelves = {}
    for author in Author.objects.filter(publisher__isnull=False):
        published = [book.title for book in author.books.filter(is_published=True).order_by("-pages")]
        drafts = [book.title for book in author.books.filter(is_published=False)]
        shelves[author.name] = (published, drafts)
    return shelves


def tags_but(excluded: str) -> dict[str, list[str]]:
    return {
        book.title: [tag.name for tag in book.tags.exclude(name=excluded)]
        for book in Book.objects.filter(is_published=True)
    }
