"""An account page read through the table instances."""

from __future__ import annotations

import asyncio

from .tables import Projects, Users


async def account_page(user_id: int) -> dict:
    user, project_names = await asyncio.gather(
        Users.get_user_by_id(user_id), Projects.get_project_names_by_user_id(user_id)
    )
    return {"email": user.email if user else None, "projects": project_names}
