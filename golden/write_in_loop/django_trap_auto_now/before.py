from djbooks.models import Loan


def mark_returned(loans: list[Loan]) -> None:
    for loan in loans:
        loan.returned = True
        loan.save()
