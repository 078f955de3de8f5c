from djbooks.models import Author


def bibliographies() -> dict[str, list[str]]:
    return {
        author.name: [book.title for book in author.books.all()]
        for author in Author.objects.order_by("name")
    }
