from djrender.models import Render, User, UserCredits


async def profile_stats(user_id: int) -> dict:
    user = await User.objects.aget(pk=user_id)
    project_count = await user.projects.acount()
    credits = await UserCredits.objects.filter(user_id=user_id).afirst()
    recent = [render async for render in Render.objects.filter(user_id=user_id).order_by("-created_at", "-id")[:5]]
    return {"user": user, "projects": project_count, "credits": credits, "recent": recent}
