from sqlalchemy import select
from sqlalchemy.orm import Session

from pairapp.models import AssetRef


def assets_of_tasks(
    session: Session, dag_id: str, task_ids: list[str]
) -> list[list[str]]:
    """The assets of some tasks of one DAG: the DAG is the same for every task, so the
    query has one per-item key (the task), not two."""
    out = []
    for task_id in task_ids:
        asset_refs = session.scalars(
            select(AssetRef)
            .where(AssetRef.dag_id == dag_id, AssetRef.task_id == task_id)
            .order_by(AssetRef.id)
        ).all()
        out.append([asset_ref.asset for asset_ref in asset_refs])
    return out
