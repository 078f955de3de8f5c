from sqlalchemy.orm import Session

from pairapp.models import TaskRef, TaskState


def task_states(session: Session, refs: list[TaskRef]) -> dict[int, str]:
    """Per task ref, its task's state ("none" before the task ran)."""
    states = {}
    for ref in refs:
        state = session.get(TaskState, (ref.dag_id, ref.task_id))
        states[ref.id] = state.state if state is not None else "none"
    return states
