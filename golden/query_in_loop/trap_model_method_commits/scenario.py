from sqlalchemy import select


def run(module, session):
    module.session = session
    projects = session.scalars(select(module.Project).order_by(module.Project.id)).all()
    return module.archive_latest(list(projects))
