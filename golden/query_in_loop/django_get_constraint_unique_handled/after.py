from djbooks.models import Edition


def find_editions(isbns: list[str]) -> tuple[list[int], list[str]]:
    found = []
    missing = []
    editions_by_isbn = Edition.objects.in_bulk(isbns, field_name="isbn")
    for isbn in isbns:
        try:
            found.append(
                editions_by_isbn[isbn]
                if isbn in editions_by_isbn
                else Edition.objects.get(isbn=isbn)
            )
        except Edition.DoesNotExist:
            missing.append(isbn)
    return [edition.pk for edition in found], missing
