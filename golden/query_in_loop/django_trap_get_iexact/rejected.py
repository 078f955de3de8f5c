from djbooks.models import Tag


def tag_ids(names: list[str]) -> list[int]:
    ids = []
    tags_by_name = Tag.objects.in_bulk(names, field_name="name")
    for name in names:
        tag = (
            tags_by_name[name]
            if name in tags_by_name
            else Tag.objects.get(name__iexact=name)
        )
        ids.append(tag.pk)
    return ids
