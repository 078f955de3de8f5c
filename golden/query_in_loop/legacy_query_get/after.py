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
        customer_ids = [order.customer_id for order in orders]
        customers_by_id = {}
        if customer_ids:
            customers_by_id = {
                customer.id: customer
                for customer in (
                    self.session.query(Customer)
                    .filter(Customer.id.in_(customer_ids))
                )
            }
        for order in orders:
            customer = customers_by_id.get(order.customer_id)
            rows.append(
                {
                    "order_id": order.id,
                    "placed_at": order.placed_at.isoformat(),
                    "customer": customer.name if customer else None,
                }
            )
        return rows
