import csv
from typing import TextIO

from sqlalchemy.orm import Session

from renderapp.models import Project


def import_project_names(session: Session, upload: TextIO) -> list[str | None]:
    """The name of each project an uploaded CSV lists, in file order."""
    names = []
    for row in csv.DictReader(upload):
        project = session.get(Project, row["project_id"])
        names.append(project.name if project is not None else None)
    return names
