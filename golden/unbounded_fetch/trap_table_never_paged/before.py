from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render, SubscriptionPlan


def renders_page(session: Session, page: int) -> list[Render]:
    return session.scalars(
        select(Render).order_by(Render.id).limit(5).offset(5 * page)
    ).all()


def plan_choices(session: Session) -> list[SubscriptionPlan]:
    return session.scalars(select(SubscriptionPlan).order_by(SubscriptionPlan.id)).all()
