from djbooks.models import Tag


def long_book_tag_ids(names: list[str]) -> list[int]:
    """The id of each named tag that a book over 300 pages carries."""
    ids = []
    tags_by_name = Tag.objects.filter(books__pages__gt=300).in_bulk(
        names, field_name="name"
    )
    for name in names:
        tag = (
            tags_by_name[name]
            if name in tags_by_name
            else Tag.objects.filter(books__pages__gt=300).get(name=name)
        )
        ids.append(tag.pk)
    return ids
