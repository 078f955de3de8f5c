"""An account page read through the table instances."""

from __future__ import annotations

from .tables import Projects, Users


async def account_page(user_id: int) -> dict:
    user = await Users.get_user_by_id(user_id)
    project_names = await Projects.get_project_names_by_user_id(user_id)
    return {"email": user.email if user else None, "projects": project_names}
