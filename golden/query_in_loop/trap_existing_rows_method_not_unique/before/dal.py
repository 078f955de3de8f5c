from sqlalchemy.orm import Session

from legacyapp.models import Order


class OrderDAO:
    @staticmethod
    def find_by_status(session: Session, status: str) -> Order | None:
        """An order in that status, or None."""
        return session.query(Order).filter(Order.status == status).first()

    @staticmethod
    def find_by_statuses(session: Session, statuses: list[str]) -> list[Order]:
        """The orders in those statuses."""
        return session.query(Order).filter(Order.status.in_(statuses)).all()
