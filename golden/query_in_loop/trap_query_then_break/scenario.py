from sqlalchemy import select

from renderapp.models import Project


def run(module, session):
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    # "Spring lookbook" (project 1) has seven renders; no project is named "Nothing"
    return (
        module.renders_of_first_named(session, projects, "Spring lookbook"),
        module.renders_of_first_named(session, projects, "Nothing"),
        # no project is named by a number: the first one's renders, then the loop ends
        module.numbered_until_first_other(session, projects),
    )
