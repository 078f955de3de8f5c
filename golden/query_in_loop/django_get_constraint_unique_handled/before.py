from djbooks.models import Edition


def find_editions(isbns: list[str]) -> tuple[list[int], list[str]]:
    found = []
    missing = []
    for isbn in isbns:
        try:
            found.append(Edition.objects.get(isbn=isbn))
        except Edition.DoesNotExist:
            missing.append(isbn)
    return [edition.pk for edition in found], missing
