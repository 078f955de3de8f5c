from djrender.models import Render, RenderChain


def delete_chain(chain_id: int) -> None:
    Render.objects.filter(chain_id=chain_id).update(chain=None, chain_position=None)
    RenderChain.objects.filter(pk=chain_id).delete()
