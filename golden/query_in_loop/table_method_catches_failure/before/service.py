"""Callers of the table methods: one lookup per requested project."""

from __future__ import annotations

from .projects import Projects


async def readable_projects(project_ids: list[int]) -> list:
    readable = []
    for project_id in project_ids:
        project = await Projects.get_project_by_id(project_id)
        if project:
            readable.append(project)
    return readable


async def project_names(project_ids: list[int], db) -> dict[int, str]:
    names = {}
    for project_id in project_ids:
        names[project_id] = await Projects.get_project_name_by_id(project_id, db=db)
    return names
