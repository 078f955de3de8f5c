from .projects import find_projects


def project_names(ids) -> list[str]:
    """Ids as a command line gives them: strings."""
    return [project.name for project in find_projects(ids)]
