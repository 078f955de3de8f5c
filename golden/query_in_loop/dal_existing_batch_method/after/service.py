from sqlalchemy.orm import Session

from renderapp.models import RenderChain

from .dal import RenderChainsDAL


def chain_timelines(session: Session, chains: list[RenderChain]) -> dict[str, list[str]]:
    """Each chain with the prompts of its renders, step by step."""
    timelines = {}
    chain_ids = [chain.id for chain in chains]
    renders_by_chain = RenderChainsDAL.renders_in_chains(session, chain_ids)
    for chain in chains:
        renders = renders_by_chain[chain.id]
        timelines[chain.name] = [render.prompt for render in renders]
    return timelines
