import asyncio

from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.async_dal import UsersRepo, async_session


async def account_page(session: AsyncSession, user_id: int) -> dict:
    async def load_user():
        async with async_session() as session:
            return await UsersRepo.get(session, user_id)

    async def load_project_names():
        async with async_session() as session:
            return await UsersRepo.project_names(session, user_id)

    user, project_names = await asyncio.gather(load_user(), load_project_names())
    return {"email": user.email if user else None, "projects": project_names}
