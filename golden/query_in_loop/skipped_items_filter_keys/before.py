from sqlalchemy import select
from sqlalchemy.orm import Session

from pairapp.models import AssetRef, TaskRef


def traced_assets(
    session: Session,
    refs: list[TaskRef],
    readable: set[str] | None,
    processed: set[tuple[str, str]],
) -> list[str]:
    """The assets the readable tasks read, each task's once (a task met before is skipped)."""
    assets = []
    for ref in refs:
        if readable is not None and ref.dag_id not in readable:
            continue
        task_key = (ref.dag_id, ref.task_id)
        if task_key not in processed:
            processed.add(task_key)
            asset_refs = session.scalars(
                select(AssetRef)
                .where(AssetRef.dag_id == ref.dag_id, AssetRef.task_id == ref.task_id)
                .order_by(AssetRef.id)
            ).all()
            assets.extend(asset_ref.asset for asset_ref in asset_refs)
    return assets
