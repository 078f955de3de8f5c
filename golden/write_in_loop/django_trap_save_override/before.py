from djbooks.models import Publisher


def rename_publishers(names: dict[int, str]) -> None:
    for publisher in Publisher.objects.filter(pk__in=names):
        publisher.name = names[publisher.pk]
        publisher.save()
