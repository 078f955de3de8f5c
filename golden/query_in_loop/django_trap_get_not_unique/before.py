from djbooks.models import Author


def author_ids(names: list[str]) -> list[int]:
    ids = []
    for name in names:
        author = Author.objects.get(name=name)
        ids.append(author.pk)
    return ids
