from legacyapp.models import Customer, Order


class OrderReport:
    def __init__(self, session):
        self.session = session

    def rows(self, status="paid"):
        orders = (
            self.session.query(Order)
            .filter(Order.status == status)
            .order_by(Order.placed_at, Order.id)
            .all()
        )
        rows = []
        for order in orders:
            customer = self.session.query(Customer).get(order.customer_id)
            rows.append(
                {
                    "order_id": order.id,
                    "placed_at": order.placed_at.isoformat(),
                    "customer": customer.name if customer else None,
                }
            )
        return rows
