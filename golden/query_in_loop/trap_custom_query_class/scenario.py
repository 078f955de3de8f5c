from sqlalchemy import select

from renderapp.models import Render


def run(module, session):
    module.session = session
    module.signed_in_user_id = 1
    renders = session.scalars(select(Render).order_by(Render.id).limit(30)).all()
    return module.project_names(list(renders))
