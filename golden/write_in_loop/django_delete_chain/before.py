from djrender.models import Render, RenderChain


def delete_chain(chain_id: int) -> None:
    for render in Render.objects.filter(chain_id=chain_id):
        render.chain = None
        render.chain_position = None
        render.save(update_fields=["chain", "chain_position"])
    RenderChain.objects.filter(pk=chain_id).delete()
