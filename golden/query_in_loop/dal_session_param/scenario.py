from sqlalchemy import select

from renderapp.models import Project, Render


def run(service, session):
    # projects 3 and 5 have no renders; render 1 has two public gallery items and a
    # private one, 13 only a private one, most renders none
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    renders = session.scalars(select(Render).order_by(Render.id)).all()
    return service.render_prompts(session, list(projects)), service.public_titles(session, list(renders))
