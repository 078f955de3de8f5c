from dataclasses import dataclass

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
        for project in projects:
            latest = Render.objects.filter(project_id=project.id).order_by("-created_at", "-id")[
                :LATEST_PER_PROJECT
            ]
            render_count = Render.objects.filter(project_id=project.id).count()
            cards.append(ProjectCard(project=project, latest_renders=list(latest), render_count=render_count))
        return cards
