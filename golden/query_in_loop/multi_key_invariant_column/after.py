from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from pairapp.models import AssetRef


def assets_of_tasks(
    session: Session, dag_id: str, task_ids: list[str]
) -> list[list[str]]:
    """The assets of some tasks of one DAG: the DAG is the same for every task, so the
    query has one per-item key (the task), not two."""
    out = []
    asset_refs_by_task_id = defaultdict(list)
    if task_ids:
        for asset_ref in session.scalars(
            select(AssetRef)
            .where(AssetRef.dag_id == dag_id, AssetRef.task_id.in_(task_ids))
            .order_by(AssetRef.id)
        ):
            asset_refs_by_task_id[asset_ref.task_id].append(asset_ref)
    for task_id in task_ids:
        asset_refs = asset_refs_by_task_id.get(task_id, [])
        out.append([asset_ref.asset for asset_ref in asset_refs])
    return out
