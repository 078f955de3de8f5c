"""Back-office reports and jobs. Older code: it still uses the 1.x Query API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.dal import BillingDAL
from app.models import Project, Render, Subscription, SubscriptionPlan, User


@dataclass
class UserRow:
    email: str
    project_names: list[str]


def users_overview(session: Session) -> list[UserRow]:
    """Every user with the names of their projects: 1 + N round trips."""
    rows = []
    for user in session.query(User).order_by(User.id).all():
        projects = (
            session.query(Project)
            .filter(Project.user_id == user.id)
            .order_by(Project.created_at, Project.id)
            .all()
        )
        rows.append(UserRow(email=user.email, project_names=[project.name for project in projects]))
    return rows


def reset_due_credits(session: Session, now: datetime) -> dict[int, int]:
    """Monthly credit reset, one user at a time.

    Left alone by n1fix on purpose: it commits after each user so that a failure halfway
    keeps the resets already done, and a rewrite must not change where transactions end.
    """
    reset: dict[int, int] = {}
    for credits in BillingDAL.credits_due_for_reset(session, now):
        plan = session.scalars(
            select(SubscriptionPlan)
            .join(Subscription, Subscription.plan_id == SubscriptionPlan.id)
            .where(Subscription.user_id == credits.user_id, Subscription.status == "active")
        ).first()
        credits.balance = plan.monthly_credits if plan else 0
        credits.reset_at = now + timedelta(days=30)
        session.commit()
        reset[credits.user_id] = credits.balance
    return reset


def most_active_per_plan(session: Session, top: int = 2) -> dict[str, list[tuple[str, int]]]:
    """The `top` users by render count within each plan: one query with RANK() OVER. Clean."""
    counts = (
        select(
            SubscriptionPlan.name.label("plan"),
            User.display_name.label("user"),
            func.count(Render.id).label("renders"),
            func.rank()
            .over(partition_by=SubscriptionPlan.id, order_by=(func.count(Render.id).desc(), User.id))
            .label("rnk"),
        )
        .join(Subscription, Subscription.user_id == User.id)
        .join(SubscriptionPlan, SubscriptionPlan.id == Subscription.plan_id)
        .outerjoin(Render, Render.user_id == User.id)
        .where(Subscription.status == "active")
        .group_by(SubscriptionPlan.id, User.id)
        .subquery()
    )
    rows = session.execute(
        select(counts.c.plan, counts.c.user, counts.c.renders)
        .where(counts.c.rnk <= top)
        .order_by(counts.c.plan, counts.c.rnk)
    ).all()
    result: dict[str, list[tuple[str, int]]] = {}
    for plan, user, renders in rows:
        result.setdefault(plan, []).append((user, renders))
    return result
