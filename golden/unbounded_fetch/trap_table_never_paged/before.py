"""Renders paged; subscription plans (a few fixed rows) read whole for a choice list."""

from sqlalchemy import String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Render(Base):
    __tablename__ = "renders"

    id: Mapped[int] = mapped_column(primary_key=True)
    prompt: Mapped[str] = mapped_column(Text)


class SubscriptionPlan(Base):
    __tablename__ = "subscription_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


def renders_page(session: Session, page: int) -> list[Render]:
    return session.scalars(
        select(Render).order_by(Render.id).limit(5).offset(5 * page)
    ).all()


def plan_choices(session: Session) -> list[tuple[int, str]]:
    plans = session.scalars(select(SubscriptionPlan).order_by(SubscriptionPlan.id)).all()
    return [(plan.id, plan.name) for plan in plans]
