from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.async_dal import UsersRepo, async_session


async def account_page(session: AsyncSession, user_id: int) -> dict:
    user = await UsersRepo.get(session, user_id)
    project_names = await UsersRepo.project_names(session, user_id)
    return {"email": user.email if user else None, "projects": project_names}
