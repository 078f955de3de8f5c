import asyncio

from djrender.models import Render, User, UserCredits


async def recent_renders(user_id: int) -> list[Render]:
    return [render async for render in Render.objects.filter(user_id=user_id).order_by("-created_at", "-id")[:5]]


async def profile_stats(user_id: int) -> dict:
    user = await User.objects.aget(pk=user_id)
    project_count, credits, recent = await asyncio.gather(
        user.projects.acount(),
        UserCredits.objects.filter(user_id=user_id).afirst(),
        recent_renders(user_id),
    )
    return {"user": user, "projects": project_count, "credits": credits, "recent": recent}
