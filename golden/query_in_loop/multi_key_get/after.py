from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from pairapp.models import TaskRef, TaskState


def task_states(session: Session, refs: list[TaskRef]) -> dict[int, str]:
    """Per task ref, its task's state ("none" before the task ran)."""
    states = {}
    ref_keys = [(ref.dag_id, ref.task_id) for ref in refs]
    task_states_by_ref = {}
    if ref_keys:
        task_states_by_ref = {
            (task_state.dag_id, task_state.task_id): task_state
            for task_state in session.scalars(
                select(TaskState).where(
                    tuple_(TaskState.dag_id, TaskState.task_id).in_(ref_keys)
                )
            )
        }
    for ref in refs:
        state = task_states_by_ref.get((ref.dag_id, ref.task_id))
        states[ref.id] = state.state if state is not None else "none"
    return states
