from djbooks.models import Author


def author_ids(names: list[str]) -> list[int]:
    ids = []
    authors_by_name = Author.objects.in_bulk(names, field_name="name")
    for name in names:
        author = (
            authors_by_name[name]
            if name in authors_by_name
            else Author.objects.get(name=name)
        )
        ids.append(author.pk)
    return ids
