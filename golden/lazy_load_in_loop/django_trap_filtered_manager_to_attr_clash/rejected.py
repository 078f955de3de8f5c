from django.db.models import Prefetch

from djbooks.models import Book, Loan


def borrowers_done() -> dict[str, list[str]]:
    return {
        book.title: [loan.borrower for loan in book.returned_loans]
        for book in Book.objects.order_by("title").prefetch_related(
            Prefetch("loans", queryset=Loan.objects.filter(returned=True), to_attr="returned_loans")
        )
    }
