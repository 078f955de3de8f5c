from renderapp.async_dal import BillingDAL


async def top_up(user_id: int, amount: int) -> tuple[int, int]:
    before = await BillingDAL.get_credits(user_id)
    await BillingDAL.add_credits(user_id, amount)
    after = await BillingDAL.get_credits(user_id)
    return before, after
