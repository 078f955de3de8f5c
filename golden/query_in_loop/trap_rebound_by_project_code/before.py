from sqlalchemy.orm import Session

from renderapp.models import Project

ALIASES = {"legacy-2": 2}


def canonical_id(project_id: str) -> int:
    """The id an old link names, or the id itself."""
    return ALIASES.get(project_id) or int(project_id)


def project_names(session: Session, project_ids: list[str]) -> list[str]:
    """Names for ids from old links: the body rebinds each through project code."""
    names = []
    for project_id in project_ids:
        project_id = canonical_id(project_id)
        project = session.get(Project, project_id)
        if project is not None:
            names.append(project.name)
    return names
