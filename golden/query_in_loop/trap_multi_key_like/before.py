from sqlalchemy import select
from sqlalchemy.orm import Session

from pairapp.models import AssetRef, TaskRef


def assets_by_prefix(session: Session, refs: list[TaskRef]) -> list[list[str]]:
    """The assets of each ref's DAG whose task starts like the ref's task: one key is
    compared with LIKE, not `==`, so there is no pair to batch by."""
    out = []
    for ref in refs:
        asset_refs = session.scalars(
            select(AssetRef)
            .where(AssetRef.dag_id == ref.dag_id, AssetRef.task_id.like(f"{ref.task_id[:2]}%"))
            .order_by(AssetRef.id)
        ).all()
        out.append([asset_ref.asset for asset_ref in asset_refs])
    return out
