from sqlalchemy import select

from renderapp.models import User


def run(module, session):
    module.SEEN.clear()
    emails = list(session.scalars(select(User.email).order_by(User.id)))
    # a repeated address: its second visit is not its first
    emails = [emails[1], *emails, emails[0], "nobody@example.invalid"]
    seen_visits = module.visits(session, emails)
    module.SEEN.clear()
    # each badge marks its user seen before the same item's visit is read
    shown = module.badges(session, emails)
    # the loop renames the first user after the first label: later labels see the name
    users = list(session.scalars(select(User).order_by(User.id)))
    labels = module.relabel(session, users, emails)
    related = module.related_counts(session, [1, 2, 4, 1])
    return seen_visits, shown, labels, related
