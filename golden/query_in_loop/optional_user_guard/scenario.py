from sqlalchemy import select

from renderapp.models import Project, User


def run(module, session):
    projects = list(session.scalars(select(Project).order_by(Project.id)).all())
    user = session.get(User, 1)
    # an anonymous visitor: the original never reads `user.id`, nor may the batch
    return module.first_renders(session, projects, user), module.first_renders(session, projects, None)


def run_empty(module, session):
    return module.first_renders(session, [], session.get(User, 1)), module.first_renders(session, [], None)
