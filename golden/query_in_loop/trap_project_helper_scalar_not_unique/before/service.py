from .projects import get_by_name


def owners_of(names: list[str]) -> dict[str, int | None]:
    owners = {}
    for name in names:
        project = get_by_name(name)
        owners[name] = project.user_id if project is not None else None
    return owners
