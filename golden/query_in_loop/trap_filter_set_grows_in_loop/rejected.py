from collections import defaultdict

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from pairapp.models import AssetRef, TaskRef


def downstream_assets(
    session: Session, refs: list[TaskRef], allowed: set[str], feeds: dict[str, str]
) -> list[str]:
    """The assets of the tasks of allowed DAGs; an allowed DAG allows the DAG it feeds."""
    assets = []
    ref_keys = [(ref.dag_id, ref.task_id) for ref in refs if ref.dag_id in allowed]
    asset_refs_by_ref = defaultdict(list)
    if ref_keys:
        for asset_ref in session.scalars(
            select(AssetRef)
            .where(tuple_(AssetRef.dag_id, AssetRef.task_id).in_(ref_keys))
            .order_by(AssetRef.id)
        ):
            asset_refs_by_ref[(asset_ref.dag_id, asset_ref.task_id)].append(asset_ref)
    for ref in refs:
        if ref.dag_id in allowed:
            asset_refs = asset_refs_by_ref.get((ref.dag_id, ref.task_id), [])
            assets.extend(asset_ref.asset for asset_ref in asset_refs)
            allowed.add(feeds[ref.dag_id])
    return assets
