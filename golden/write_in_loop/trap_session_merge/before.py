from sqlalchemy.orm import Session

from renderapp.models import SubscriptionPlan


def sync_plans(session: Session, plans: list[dict]) -> None:
    """Upsert the plans the billing provider reports."""
    for data in plans:
        session.merge(SubscriptionPlan(**data))
    session.flush()
