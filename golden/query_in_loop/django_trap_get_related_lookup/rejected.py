from djbooks.models import Loan


def borrowers(titles: list[str]) -> list[str]:
    names = []
    loans_by_title = Loan.objects.in_bulk(titles, field_name="book__title")
    for title in titles:
        loan = (
            loans_by_title[title]
            if title in loans_by_title
            else Loan.objects.get(book__title=title)
        )
        names.append(loan.borrower)
    return names
