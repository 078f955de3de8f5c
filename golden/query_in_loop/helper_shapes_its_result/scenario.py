from sqlalchemy import select

from renderapp.models import User


def run(module, session):
    emails = list(session.scalars(select(User.email).order_by(User.id)))
    # a repeated address and one nobody has: each keeps its own answer
    emails = [*emails, emails[0], "nobody@example.invalid"]
    try:
        module.project_names(session, [2, 4, 99, 1])
    except module.ProjectNotFound as error:
        missing = str(error)
    return (
        module.project_names(session, [3, 1, 3, 5]),
        missing,
        module.summaries(session, emails),
        module.names(session, emails),
    )


def run_empty(module, session):
    return (
        module.project_names(session, []),
        module.summaries(session, []),
        module.names(session, []),
    )
