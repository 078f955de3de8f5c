"""The profile page header, read through the async DAL."""

from __future__ import annotations

from dataclasses import dataclass

from app.dal.profile import ProfileDAL


@dataclass
class ProfileHeader:
    display_name: str | None
    projects: list[tuple[str, int]]
    balance: int
    recent_prompts: list[str]


async def profile_header(user_id: int) -> ProfileHeader:
    """Four independent reads, each on its own session, awaited one after another."""
    user = await ProfileDAL.get_user(user_id)
    projects = await ProfileDAL.render_counts(user_id)
    balance = await ProfileDAL.credit_balance(user_id)
    prompts = await ProfileDAL.recent_prompts(user_id, limit=5)
    return ProfileHeader(
        display_name=user.display_name if user else None,
        projects=projects,
        balance=balance,
        recent_prompts=prompts,
    )
