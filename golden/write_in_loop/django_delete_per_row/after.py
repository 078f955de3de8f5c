from djbooks.models import Book


def drop_books(author_id: int) -> None:
    Book.objects.filter(author_id=author_id).delete()
