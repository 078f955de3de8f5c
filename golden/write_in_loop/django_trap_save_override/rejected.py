from djbooks.models import Publisher


def rename_publishers(names: dict[int, str]) -> None:
    publishers = list(Publisher.objects.filter(pk__in=names))
    for publisher in publishers:
        publisher.name = names[publisher.pk]
    Publisher.objects.bulk_update(publishers, ["name"])
