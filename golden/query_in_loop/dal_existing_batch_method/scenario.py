from sqlalchemy import select

from renderapp.models import RenderChain


def run(service, session):
    # chain 2's positions run against id order; chain 4 has no renders
    chains = session.scalars(select(RenderChain).order_by(RenderChain.id)).all()
    by_project = {project_id: [chain for chain in chains if chain.project_id == project_id] for project_id in (4, 1, 6)}
    return {project_id: service.chain_timelines(session, picked) for project_id, picked in by_project.items()}
