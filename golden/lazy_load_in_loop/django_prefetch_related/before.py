from djbooks.models import Book


def tag_lists() -> dict[str, list[str]]:
    tags = {}
    for book in Book.objects.all():
        tags[book.title] = [tag.name for tag in book.tags.all()]
    return tags
