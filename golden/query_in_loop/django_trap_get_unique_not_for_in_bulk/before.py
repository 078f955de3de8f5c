from djbooks.models import Edition


def editions_by_code(codes: list[str]) -> list[int]:
    ids = []
    for code in codes:
        edition = Edition.objects.get(code=code)
        ids.append(edition.pk)
    return ids


def editions_by_slug(slugs: list[str]) -> list[int]:
    ids = []
    for slug in slugs:
        edition = Edition.objects.get(slug=slug)
        ids.append(edition.pk)
    return ids
