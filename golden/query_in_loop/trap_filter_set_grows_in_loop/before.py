from sqlalchemy import select
from sqlalchemy.orm import Session

from pairapp.models import AssetRef, TaskRef


def downstream_assets(
    session: Session, refs: list[TaskRef], allowed: set[str], feeds: dict[str, str]
) -> list[str]:
    """The assets of the tasks of allowed DAGs; an allowed DAG allows the DAG it feeds."""
    assets = []
    for ref in refs:
        if ref.dag_id in allowed:
            asset_refs = session.scalars(
                select(AssetRef)
                .where(AssetRef.dag_id == ref.dag_id, AssetRef.task_id == ref.task_id)
                .order_by(AssetRef.id)
            ).all()
            assets.extend(asset_ref.asset for asset_ref in asset_refs)
            allowed.add(feeds[ref.dag_id])
    return assets
