from collections.abc import Awaitable, Callable

from renderapp.async_dal import AuthDAL, BillingDAL


async def profile_card(user_id: int, load_badges: Callable[[int], Awaitable[list[str]]]) -> dict:
    user = await AuthDAL.get_user_by_id(user_id)
    credits = await BillingDAL.get_credits(user_id)
    badges = await load_badges(user_id)
    return {"email": user.email if user else None, "badges": badges, "credits": credits}
