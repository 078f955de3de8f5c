SEED = "keyapp"


def run(module, session):
    # stray spaces, a repeated label, and a label no sport has
    from keyapp.models import Sport
    from sqlalchemy import select

    labels = list(session.scalars(select(Sport.label).order_by(Sport.id)))
    names = [f" {labels[0]}", f"{labels[-1]}  ", labels[0], "curling"]
    return module.sport_colours(session, names)


def run_empty(module, session):
    return module.sport_colours(session, [])
