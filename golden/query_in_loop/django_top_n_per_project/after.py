from collections import defaultdict

from django.db.models import F, Window
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
            .annotate(
                position_in_project=Window(
                    RowNumber(),
                    partition_by=F("project_id"),
                    order_by=[F("created_at").desc(), F("id").desc()],
                )
            )
            .filter(position_in_project__lte=PREVIEW_SIZE)
            .order_by("-created_at", "-id")
        ):
            renders_by_project[render.project_id].append(render)
    for project in projects:
        recent = renders_by_project.get(project.pk, [])
        previews.append((project, list(recent)))
    return previews
