from djbooks.models import Tag


def long_book_tag_ids(names: list[str]) -> list[int]:
    """The id of each named tag that a book over 300 pages carries."""
    ids = []
    for name in names:
        tag = Tag.objects.filter(books__pages__gt=300).get(name=name)
        ids.append(tag.pk)
    return ids
