from renderapp.models import Project


def run(module, session):
    project = session.get(Project, 1)
    return [
        module.renders_with_status(session, project, "done"),
        module.renders_with_status(session, project, "queued"),
        module.renders_with_status(session, project, "missing"),
    ]
