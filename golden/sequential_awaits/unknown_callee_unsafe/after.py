import asyncio
from collections.abc import Awaitable, Callable

from renderapp.async_dal import AuthDAL, BillingDAL


async def profile_card(user_id: int, load_badges: Callable[[int], Awaitable[list[str]]]) -> dict:
    user, credits, badges = await asyncio.gather(
        AuthDAL.get_user_by_id(user_id),
        BillingDAL.get_credits(user_id),
        load_badges(user_id),
    )
    return {"email": user.email if user else None, "badges": badges, "credits": credits}
