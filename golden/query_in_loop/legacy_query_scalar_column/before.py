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
            name = self.session.query(Customer.name).filter(Customer.id == order.customer_id).scalar()
            rows.append({"order_id": order.id, "customer": name})
        return rows
