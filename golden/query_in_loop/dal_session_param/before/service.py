from sqlalchemy.orm import Session

from renderapp.models import Project, Render

from .dal import RendersDAL, public_items_for_render


def render_prompts(session: Session, projects: list[Project]) -> dict[int, list[str]]:
    prompts = {}
    for project in projects:
        renders = RendersDAL.by_project(session, project.id)
        prompts[project.id] = [render.prompt for render in renders]
    return prompts


def public_titles(session: Session, renders: list[Render]) -> dict[int, list[str]]:
    titles = {}
    for render in renders:
        items = public_items_for_render(session, render.id)
        titles[render.id] = [item.title for item in items]
    return titles
