from djbooks.models import Edition


def editions_by_code(codes: list[str]) -> list[int]:
    ids = []
    editions_by_code = Edition.objects.in_bulk(codes, field_name="code")
    for code in codes:
        edition = (
            editions_by_code[code]
            if code in editions_by_code
            else Edition.objects.get(code=code)
        )
        ids.append(edition.pk)
    return ids


def editions_by_slug(slugs: list[str]) -> list[int]:
    ids = []
    editions_by_slug = Edition.objects.in_bulk(slugs, field_name="slug")
    for slug in slugs:
        edition = (
            editions_by_slug[slug]
            if slug in editions_by_slug
            else Edition.objects.get(slug=slug)
        )
        ids.append(edition.pk)
    return ids
