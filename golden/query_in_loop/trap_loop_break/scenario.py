from sqlalchemy import select

from renderapp.models import Project


def run(module, session):
    projects = session.scalars(select(Project).order_by(Project.id.desc())).all()
    # project 6 (failed render 18) comes first: projects 5 to 1 are never queried
    return module.first_project_needing_attention(session, projects)
