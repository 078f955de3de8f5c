from sqlalchemy.orm import Session

from renderapp.models import Project, Render

from .dal import RendersDAL, public_items_for_renders


def render_prompts(session: Session, projects: list[Project]) -> dict[int, list[str]]:
    prompts = {}
    project_ids = [project.id for project in projects]
    renders_by_project = RendersDAL.by_projects(session, project_ids)
    for project in projects:
        renders = renders_by_project[project.id]
        prompts[project.id] = [render.prompt for render in renders]
    return prompts


def public_titles(session: Session, renders: list[Render]) -> dict[int, list[str]]:
    titles = {}
    render_ids = [render.id for render in renders]
    items_by_render = public_items_for_renders(session, render_ids)
    for render in renders:
        items = items_by_render[render.id]
        titles[render.id] = [item.title for item in items]
    return titles
