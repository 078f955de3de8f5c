from djbooks.models import Book


def drop_books(author_id: int) -> None:
    for book in Book.objects.filter(author_id=author_id):
        book.delete()
