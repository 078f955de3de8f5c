from renderapp.models import Render

from .dal import project_name


def render_labels(renders: list[Render]) -> list[str]:
    labels = []
    for render in renders:
        labels.append(f"{project_name(render.project_id)} #{render.id}")
    return labels
