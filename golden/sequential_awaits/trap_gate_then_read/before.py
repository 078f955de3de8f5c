from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.async_dal import BillingDAL, UsersRepo


class Forbidden(Exception):
    pass


async def check_can_render(user_id: int) -> None:
    """The gate: refuses users without credits (as a route's permission check raises 403)."""
    if await BillingDAL.get_credits(user_id) <= 0:
        raise Forbidden(user_id)


async def render_menu(session: AsyncSession, user_id: int) -> list[str]:
    # `session` is the request's: the framework closes it once the handler returns or raises
    await check_can_render(user_id)
    names = await UsersRepo.project_names(session, user_id)
    return names
