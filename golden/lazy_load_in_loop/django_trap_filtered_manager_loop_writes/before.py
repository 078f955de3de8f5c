from djbooks.models import Author, Book


def drafts_before_publishing() -> dict[str, list[str]]:
    drafts = {}
    for author in Author.objects.order_by("name"):
        drafts[author.name] = [book.title for book in author.books.filter(is_published=False)]
        # short drafts go out at once, whoever wrote them
        Book.objects.filter(is_published=False, pages__lt=300).update(is_published=True)
    return drafts
