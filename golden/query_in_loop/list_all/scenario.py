from sqlalchemy import select

from renderapp.models import Project


def run(module, session):
    # every project, including 3 and 5 which have no renders
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    return module.renders_for_projects(session, list(projects))


def normalize(result):
    # The query orders by created_at alone and the seed has ties, so SQL leaves the order
    # of tied renders open in both versions. Check the order SQL does promise, then put
    # ties in id order so the comparison is about rows and order, not about the tie-break.
    canonical = {}
    for project_id, renders in result.items():
        stamps = [render.created_at for render in renders]
        assert stamps == sorted(stamps), f"project {project_id}: not ordered by created_at"
        canonical[project_id] = sorted(renders, key=lambda render: (render.created_at, render.id))
    return canonical


def run_empty(module, session):
    return module.renders_for_projects(session, [])
