from django.db import IntegrityError, transaction

from djbooks.models import Tag


def add_tags(names: list[str]) -> list[str]:
    skipped = []
    for name in names:
        try:
            with transaction.atomic():
                Tag.objects.create(name=name)
        except IntegrityError:
            skipped.append(name)
    return skipped
