from collections import defaultdict

from django.db.models import Window
from django.db.models.functions import RowNumber

from djrender.models import Project, Render

PREVIEW_SIZE = 3


def project_previews(projects: list[Project]) -> list[tuple[Project, list[Render]]]:
    previews = []
    project_ids = [project.pk for project in projects]
    renders_by_project = defaultdict(list)
    if project_ids:
        for render in (
            Render.objects.filter(project__in=project_ids, status="done")
            .order_by("-created_at", "-id")
            .annotate(
                position_in_project=Window(
                    RowNumber(), partition_by="project", order_by=["-created_at", "-id"]
                )
            )
            .filter(position_in_project__lte=PREVIEW_SIZE)
        ):
            renders_by_project[render.project_id].append(render)
    for project in projects:
        recent = renders_by_project.get(project.pk, [])
        previews.append((project, list(recent)))
    return previews
