"""The dashboard: a user's projects, each with its newest renders and a render count."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.dal import BillingDAL, ProjectsDAL, RendersDAL
from app.models import Project, Render, User

LATEST_PER_PROJECT = 4


@dataclass
class ProjectCard:
    project: Project
    latest_renders: list[Render]
    render_count: int


@dataclass
class ProjectSummary:
    project_id: int
    name: str
    statuses: dict[str, int]


def project_cards(session: Session, user_id: int) -> list[ProjectCard]:
    """The cards on the dashboard page: 1 + 2N round trips for N projects."""
    projects = session.scalars(
        select(Project).where(Project.user_id == user_id).order_by(Project.created_at.desc(), Project.id.desc())
    ).all()
    cards = []
    for project in projects:
        latest = session.scalars(
            select(Render)
            .where(Render.project_id == project.id)
            .order_by(Render.created_at.desc(), Render.id.desc())
            .limit(LATEST_PER_PROJECT)
        ).all()
        render_count = session.scalar(select(func.count(Render.id)).where(Render.project_id == project.id))
        cards.append(ProjectCard(project=project, latest_renders=list(latest), render_count=render_count))
    return cards


def dashboard_via_dal(session: Session, user_id: int) -> dict[int, tuple[list[Render], int]]:
    """The same page as the mobile API builds it, through the DAL: still 1 + 2N round trips.

    The queries run inside RendersDAL, one call per project (n1fix reports the calls but
    does not rewrite them yet; RendersDAL.latest_for_projects/count_for_projects are the fix).
    """
    projects = ProjectsDAL.get_by_user_id(session, user_id)
    result: dict[int, tuple[list[Render], int]] = {}
    for project in projects:
        latest = RendersDAL.latest_for_project(session, project.id, limit=LATEST_PER_PROJECT)
        count = RendersDAL.count_for_project(session, project.id)
        result[project.id] = (list(latest), count)
    return result


def dashboard_batched(session: Session, user_id: int) -> dict[int, tuple[list[Render], int]]:
    """What the two functions above should be: three round trips whatever the project count."""
    projects = ProjectsDAL.get_by_user_id(session, user_id)
    project_ids = [project.id for project in projects]
    latest = RendersDAL.latest_for_projects(session, project_ids, limit=LATEST_PER_PROJECT)
    counts = RendersDAL.count_for_projects(session, project_ids)
    return {project_id: (latest[project_id], counts[project_id]) for project_id in project_ids}


async def project_summaries(session: AsyncSession, user_id: int) -> list[ProjectSummary]:
    """Render status breakdown per project, for the async API: 1 + N round trips."""
    projects = (
        await session.scalars(select(Project).where(Project.user_id == user_id).order_by(Project.name, Project.id))
    ).all()
    summaries = []
    for project in projects:
        renders = (
            await session.scalars(
                select(Render).where(Render.project_id == project.id).order_by(Render.created_at, Render.id)
            )
        ).all()
        statuses = Counter(render.status for render in renders)
        summaries.append(ProjectSummary(project_id=project.id, name=project.name, statuses=dict(sorted(statuses.items()))))
    return summaries


@dataclass
class ProfileStats:
    display_name: str
    project_count: int
    total_renders: int
    balance: int
    plan_name: str | None
    recent_prompts: list[str]


def profile_stats(session: Session, user_id: int, recent: int = 5) -> ProfileStats | None:
    """The profile header: four independent reads on one session (no loop, nothing to batch)."""
    user = session.get(User, user_id)
    if user is None:
        return None
    projects = ProjectsDAL.with_render_counts(session, user_id)
    credits = BillingDAL.credits_with_plan(session, user_id)
    renders: Sequence[Render] = RendersDAL.recent_for_user(session, user_id, limit=recent)
    return ProfileStats(
        display_name=user.display_name,
        project_count=len(projects),
        total_renders=sum(count for _, count in projects),
        balance=credits.balance if credits else 0,
        plan_name=credits.plan_name if credits else None,
        recent_prompts=[render.prompt for render in renders],
    )
