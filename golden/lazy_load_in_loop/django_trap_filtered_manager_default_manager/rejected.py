from django.db.models import Prefetch

from djbooks.models import Book, Note


def pinned_notes() -> dict[str, list[str]]:
    return {
        book.title: [note.text for note in book.pinned_notes]
        for book in Book.objects.filter(is_published=True).prefetch_related(
            Prefetch("notes", queryset=Note.objects.filter(pinned=True), to_attr="pinned_notes")
        )
    }
