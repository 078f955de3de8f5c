import asyncio
from dataclasses import dataclass

from renderapp.async_dal import AuthDAL, BillingDAL, ProjectsDAL, RendersDAL
from renderapp.models import Render, User


@dataclass
class ProfileStats:
    user: User | None
    projects: list[tuple[str, int]]
    credits: int
    recent_prompts: list[str]


async def profile_stats(user_id: int) -> ProfileStats:
    recent: list[Render]
    user, projects, credits, recent = await asyncio.gather(
        AuthDAL.get_user_by_id(user_id),
        ProjectsDAL.with_render_counts(user_id),
        BillingDAL.get_credits(user_id),
        RendersDAL.recent_for_user(user_id, limit=100),
    )
    return ProfileStats(user, projects, credits, [render.prompt for render in recent])
