from renderapp.models import Render


def run(module, session):
    # 2 -> 3 -> 5, 10 -> 11 -> 12, and 18 has no children
    roots = [session.get(Render, render_id) for render_id in (2, 10, 18)]
    return {root.id: module.render_descendants(session, root) for root in roots}
