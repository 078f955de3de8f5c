from django.db import IntegrityError, transaction

from djbooks.models import Tag


def add_tags(names: list[str]) -> list[str]:
    skipped = []
    try:
        with transaction.atomic():
            Tag.objects.bulk_create([Tag(name=name) for name in names])
    except IntegrityError:
        skipped.extend(names)
    return skipped
