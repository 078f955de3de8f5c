from sqlalchemy.orm import Session

from renderapp.models import RenderChain

from .dal import RenderChainsDAL


def chain_timelines(session: Session, chains: list[RenderChain]) -> dict[str, list[str]]:
    """Each chain with the prompts of its renders, step by step."""
    timelines = {}
    for chain in chains:
        renders = RenderChainsDAL.renders_in_chain(session, chain.id)
        timelines[chain.name] = [render.prompt for render in renders]
    return timelines
