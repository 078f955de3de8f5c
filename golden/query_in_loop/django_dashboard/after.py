from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Window
from django.db.models.functions import RowNumber

from djrender.models import Project, Render

LATEST_PER_PROJECT = 4


@dataclass
class ProjectCard:
    project: Project
    latest_renders: list[Render]
    render_count: int


class DashboardService:
    def project_cards(self, user_id: int) -> list[ProjectCard]:
        projects = Project.objects.filter(user_id=user_id).order_by("-created_at", "-id")
        cards = []
        projects = list(projects)
        project_ids = [project.id for project in projects]
        renders_by_project = defaultdict(list)
        render_counts_by_project = {}
        if project_ids:
            for render in (
                Render.objects.filter(project_id__in=project_ids)
                .order_by("-created_at", "-id")
                .annotate(
                    position_in_project=Window(
                        RowNumber(),
                        partition_by="project_id",
                        order_by=["-created_at", "-id"],
                    )
                )
                .filter(position_in_project__lte=LATEST_PER_PROJECT)
            ):
                renders_by_project[render.project_id].append(render)
            render_counts_by_project = dict(
                Render.objects.filter(project_id__in=project_ids)
                .values_list("project_id")
                .annotate(count=Count("pk"))
                .order_by()
            )
        for project in projects:
            latest = renders_by_project.get(project.id, [])
            render_count = render_counts_by_project.get(project.id, 0)
            cards.append(ProjectCard(project=project, latest_renders=list(latest), render_count=render_count))
        return cards
