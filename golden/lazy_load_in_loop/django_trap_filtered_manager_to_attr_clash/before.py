from djbooks.models import Book


def borrowers_done() -> dict[str, list[str]]:
    return {
        book.title: [loan.borrower for loan in book.loans.filter(returned=True)]
        for book in Book.objects.order_by("title")
    }
