from sqlalchemy import select

from renderapp.models import Project


def run(module, session):
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    latest = module.latest_render_by_project(session, projects)
    # Which of renders 5, 6 and 7 (all at minute 43) comes first is up to the database.
    return {project_id: render.created_at if render else None for project_id, render in latest.items()}
