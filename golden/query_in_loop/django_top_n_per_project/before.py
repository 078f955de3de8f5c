from djrender.models import Project, Render

PREVIEW_SIZE = 3


def project_previews(projects: list[Project]) -> list[tuple[Project, list[Render]]]:
    previews = []
    for project in projects:
        recent = Render.objects.filter(project=project, status="done").order_by("-created_at", "-id")[:PREVIEW_SIZE]
        previews.append((project, list(recent)))
    return previews
