from sqlalchemy import select

from renderapp.models import Project


def run(module, session):
    # Project 1 has five finished renders with created_at ties (5 and 6 at minute 43, 2 and
    # 3 at minute 41): only the id tie-break decides the top three. Projects 3 and 5 are empty.
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    return module.project_previews(session, projects)
