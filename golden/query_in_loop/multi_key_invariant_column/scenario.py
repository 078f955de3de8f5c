SEED = "pairapp"


def run(module, session):
    # "extract" is a task of both DAGs: only etl's rows are wanted; "load" has none
    return {
        "etl": module.assets_of_tasks(
            session, "etl", ["extract", "transform", "load", "extract"]
        ),
        "report": module.assets_of_tasks(session, "report", ["render", "extract"]),
    }


def run_empty(module, session):
    return module.assets_of_tasks(session, "etl", [])
