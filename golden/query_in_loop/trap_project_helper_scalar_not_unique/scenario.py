import importlib
from datetime import datetime

from sqlalchemy.exc import MultipleResultsFound

from renderapp.models import Project


def run(service, session):
    importlib.import_module(".database", service.__package__).session = session
    found = service.owners_of(["Storyboard", "Portraits", "No such project"])
    # Project.name is not unique: with a second "Storyboard", database.get's 1.x
    # Query.scalar() (.one() with None for no row) raises; a batch keeping one row per
    # name would not
    session.add(Project(id=50, user_id=3, name="Storyboard", created_at=datetime(2024, 3, 1)))
    session.flush()
    try:
        service.owners_of(["Storyboard"])
    except MultipleResultsFound:
        return found, "MultipleResultsFound"
    return found, "no error"
