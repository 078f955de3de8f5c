from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.models import Subscription, SubscriptionPlan, UserCredits


@dataclass(frozen=True)
class CreditsView:
    user_id: int
    balance: int
    plan_name: str | None
    monthly_credits: int | None
    next_reset: datetime | None


class BillingDAL:
    @staticmethod
    def get_credits(session: Session, user_id: int) -> UserCredits | None:
        return session.scalars(select(UserCredits).where(UserCredits.user_id == user_id)).one_or_none()

    @staticmethod
    def credits_with_plan(session: Session, user_id: int) -> CreditsView | None:
        """Credits, active subscription and plan in one query (outer joins: no plan is fine)."""
        row = session.execute(
            select(UserCredits, SubscriptionPlan, Subscription.current_period_end)
            .outerjoin(
                Subscription,
                and_(Subscription.user_id == UserCredits.user_id, Subscription.status == "active"),
            )
            .outerjoin(SubscriptionPlan, SubscriptionPlan.id == Subscription.plan_id)
            .where(UserCredits.user_id == user_id)
        ).first()
        if row is None:
            return None
        credits, plan, period_end = row
        return CreditsView(
            user_id=credits.user_id,
            balance=credits.balance,
            plan_name=plan.name if plan else None,
            monthly_credits=plan.monthly_credits if plan else None,
            next_reset=period_end,
        )

    @staticmethod
    def active_plans_for_users(session: Session, user_ids: Sequence[int]) -> dict[int, SubscriptionPlan]:
        rows = session.execute(
            select(Subscription.user_id, SubscriptionPlan)
            .join(SubscriptionPlan, SubscriptionPlan.id == Subscription.plan_id)
            .where(Subscription.user_id.in_(user_ids), Subscription.status == "active")
        ).all()
        return {user_id: plan for user_id, plan in rows}

    @staticmethod
    def credits_due_for_reset(session: Session, now: datetime) -> Sequence[UserCredits]:
        return session.scalars(
            select(UserCredits)
            .where(UserCredits.reset_at.is_not(None), UserCredits.reset_at <= now)
            .order_by(UserCredits.user_id)
        ).all()
