from djbooks.models import Book


def pinned_notes() -> dict[str, list[str]]:
    return {
        book.title: [note.text for note in book.notes.filter(pinned=True)]
        for book in Book.objects.filter(is_published=True)
    }
