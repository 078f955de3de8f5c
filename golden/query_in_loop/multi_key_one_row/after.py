from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from pairapp.models import TaskRef, TaskState


def task_states(session: Session, refs: list[TaskRef]) -> list[str | None]:
    """Each task's state, None for a task that has not run."""
    states = []
    ref_keys = [(ref.dag_id, ref.task_id) for ref in refs]
    task_states_by_ref = {}
    if ref_keys:
        task_states_by_ref = {
            (task_state.dag_id, task_state.task_id): task_state
            for task_state in session.execute(
                select(TaskState).where(
                    tuple_(TaskState.dag_id, TaskState.task_id).in_(ref_keys)
                )
            ).scalars()
        }
    for ref in refs:
        state = task_states_by_ref.get((ref.dag_id, ref.task_id))
        states.append(state.state if state is not None else None)
    return states
