from djbooks.models import Loan


def borrowers(titles: list[str]) -> list[str]:
    names = []
    for title in titles:
        loan = Loan.objects.get(book__title=title)
        names.append(loan.borrower)
    return names
