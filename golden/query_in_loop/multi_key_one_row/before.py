from sqlalchemy import select
from sqlalchemy.orm import Session

from pairapp.models import TaskRef, TaskState


def task_states(session: Session, refs: list[TaskRef]) -> list[str | None]:
    """Each task's state, None for a task that has not run."""
    states = []
    for ref in refs:
        state = session.execute(
            select(TaskState).where(
                TaskState.dag_id == ref.dag_id, TaskState.task_id == ref.task_id
            )
        ).scalar_one_or_none()
        states.append(state.state if state is not None else None)
    return states
