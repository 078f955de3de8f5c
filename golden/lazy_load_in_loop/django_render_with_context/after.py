from djrender.models import Render


def render_contexts(project_id: int) -> list[dict]:
    contexts = []
    for render in (
        Render.objects.filter(project_id=project_id)
        .order_by("created_at", "id")
        .select_related("parent_render", "reference_render", "chain")
    ):
        contexts.append(
            {
                "render": render.id,
                "parent": render.parent_render.prompt if render.parent_render else None,
                "reference": render.reference_render.prompt if render.reference_render else None,
                "chain": render.chain.name if render.chain else None,
            }
        )
    return contexts
