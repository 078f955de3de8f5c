from djbooks.models import Tag


def tag_ids(names: list[str]) -> list[int]:
    ids = []
    for name in names:
        tag = Tag.objects.get(name=name)
        ids.append(tag.pk)
    return ids
