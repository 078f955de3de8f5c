from datetime import datetime

from djbooks.models import Sale


def record_sales(quantities: dict[int, int], when: datetime) -> None:
    Sale.objects.bulk_create(
        [
            Sale(book_id=book_id, quantity=quantity, sold_at=when)
            for book_id, quantity in quantities.items()
        ]
    )
