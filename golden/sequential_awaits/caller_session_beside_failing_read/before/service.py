"""An account page: the user on the request's session, the project names on their own."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from .tables import Projects, Users


async def account_page(user_id: int, db: AsyncSession) -> dict:
    project_names = await Projects.get_project_names_by_user_id(user_id)
    user = await Users.get_user_by_id(user_id, db=db)
    return {"email": user.email if user else None, "projects": project_names}
