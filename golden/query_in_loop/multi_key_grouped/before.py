from sqlalchemy import select
from sqlalchemy.orm import Session

from pairapp.models import AssetRef, TaskRef


def assets_per_task(session: Session, refs: list[TaskRef]) -> list[list[str]]:
    """The assets each task reads, in the order they were recorded."""
    out = []
    for ref in refs:
        asset_refs = session.scalars(
            select(AssetRef)
            .where(AssetRef.dag_id == ref.dag_id, AssetRef.task_id == ref.task_id)
            .order_by(AssetRef.id)
        ).all()
        out.append([asset_ref.asset for asset_ref in asset_refs])
    return out
