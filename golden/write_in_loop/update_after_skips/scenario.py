from datetime import datetime

from sqlalchemy import select

from renderapp.models import Render


def run(module, session):
    # project 1's renders were created at 9:41 (2, 3), 9:42 (1, 4) and 9:43 (5, 6, 7): at
    # 10:42:30 the first four are more than an hour old
    renders = session.scalars(select(Render).where(Render.project_id == 1).order_by(Render.id)).all()
    failed = module.fail_stuck_renders(session, renders, datetime(2024, 3, 1, 10, 42, 30))
    assert failed == [1, 2, 3, 4], failed
    return failed, [(r.id, r.status) for r in renders]
