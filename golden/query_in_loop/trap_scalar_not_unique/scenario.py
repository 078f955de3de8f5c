from datetime import datetime

from sqlalchemy.exc import MultipleResultsFound

from renderapp.models import Project


def run(module, session):
    found = module.owners_of(session, ["Storyboard", "Portraits", "No such project"])
    # Project.name is not unique: a second "Storyboard" makes 1.x Query.scalar() (which
    # is .one() with None for no row) raise; a batch keeping one row per name would not
    session.add(Project(id=50, user_id=3, name="Storyboard", created_at=datetime(2024, 3, 1)))
    session.flush()
    try:
        module.owners_of(session, ["Storyboard"])
    except MultipleResultsFound:
        return found, "MultipleResultsFound"
    return found, "no error"
