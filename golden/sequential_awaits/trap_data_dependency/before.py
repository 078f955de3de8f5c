from renderapp.async_dal import AuthDAL, BillingDAL


async def credits_for_email(email: str) -> int | None:
    user = await AuthDAL.get_user_by_email(email)
    balance = await BillingDAL.get_credits(user.id if user else 0)
    return balance if user else None
