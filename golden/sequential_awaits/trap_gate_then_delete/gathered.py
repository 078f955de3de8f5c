"""The gather n1fix once offered for before.py (unsafe): the check no longer guards the delete."""

import asyncio

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.async_dal import BillingDAL
from renderapp.models import Subscription


class Forbidden(Exception):
    pass


async def check_can_manage(user_id: int) -> None:
    """The gate: only users with credits may manage their subscriptions."""
    if await BillingDAL.get_credits(user_id) <= 0:
        raise Forbidden(user_id)


class SubscriptionsTable:
    async def delete_for_user(self, user_id: int, db: AsyncSession) -> bool:
        await db.execute(delete(Subscription).where(Subscription.user_id == user_id))
        await db.commit()
        return True


# One shared instance, as many services hold their tables: n1fix cannot tell which class
# `Subscriptions` is, so it cannot see that `delete_for_user` writes.
Subscriptions = SubscriptionsTable()


async def cancel_subscriptions(session: AsyncSession, user_id: int) -> bool:
    _, result = await asyncio.gather(check_can_manage(user_id), Subscriptions.delete_for_user(user_id, db=session))
    return result
