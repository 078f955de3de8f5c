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
        name_by_customer_id = {}
        if customer_ids:
            name_by_customer_id = {
                customer_id: name
                for customer_id, name in (
                    self.session.query(Customer.id, Customer.name)
                    .filter(Customer.id.in_(customer_ids))
                )
            }
        for order in orders:
            name = name_by_customer_id.get(order.customer_id)
            rows.append({"order_id": order.id, "customer": name})
        return rows
