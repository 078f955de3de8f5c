from renderapp.models import Project


def run(module, session):
    # the render is pending: project_id is still None, render.project.id is 2
    return module.queue_render(session, session.get(Project, 2), "monogram, gold foil")
