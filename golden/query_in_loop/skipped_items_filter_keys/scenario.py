from sqlalchemy import select

from pairapp.models import TaskRef

SEED = "pairapp"


def run(module, session):
    # ref 5 repeats ref 1's task (met before: skipped); etl/transform was processed
    # before the call; the report tasks are not readable on the first call. The second
    # call reads every task: report/render's rows, and nothing for the tasks the first
    # call processed.
    refs = list(session.scalars(select(TaskRef).order_by(TaskRef.id)))
    processed = {("etl", "transform")}
    first = module.traced_assets(session, refs, {"etl"}, processed)
    second = module.traced_assets(session, refs, None, processed)
    return first, second, sorted(processed)


def run_empty(module, session):
    # no readable task: the loop queries nothing, nor may the batch
    refs = list(session.scalars(select(TaskRef).order_by(TaskRef.id)))
    return module.traced_assets(session, refs, {"nightly"}, set())
