import io


def run(module, session):
    # one repeated id, one unknown
    return module.import_project_names(session, io.StringIO("project_id\n2\n1\n2\n99\n"))
