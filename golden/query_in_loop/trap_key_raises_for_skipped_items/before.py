from sqlalchemy.orm import Session

from renderapp.models import Project, User


def reviewer_names(session: Session, entries: list[dict[str, int]]) -> list[str]:
    """Entries refer to users or projects by id; entries without an id are skipped."""
    names = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("id") or entry.get("legacy"):
            continue
        if entry.get("type") == 1:
            user = session.get(User, entry["id"])
            names.append(user.display_name if user is not None else "unknown")
        else:
            project = session.get(Project, entry["id"])
            names.append(project.name if project is not None else "unknown")
    return names
