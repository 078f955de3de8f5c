from djbooks.models import Author, Book


def short_books(limits: dict[str, int]) -> dict[str, list[str]]:
    titles = {}
    for author in Author.objects.order_by("name"):
        limit = limits.get(author.name, 300)
        titles[author.name] = [book.title for book in author.books.filter(pages__lt=limit)]
    return titles


def sales_that_emptied_the_shelf() -> dict[str, list[int]]:
    return {
        book.title: [sale.quantity for sale in book.sales.filter(quantity__gte=book.stock)]
        for book in Book.objects.order_by("title")
    }
