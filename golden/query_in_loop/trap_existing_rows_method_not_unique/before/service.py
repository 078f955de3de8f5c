from sqlalchemy.orm import Session

from .dal import OrderDAO


def sample_orders(session: Session, statuses: list[str]) -> list[int | None]:
    """One order id for each status asked about."""
    sample = []
    for status in statuses:
        order = OrderDAO.find_by_status(session, status)
        sample.append(order.id if order is not None else None)
    return sample
