from collections import defaultdict

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from pairapp.models import AssetRef, TaskRef


def assets_per_task(session: Session, refs: list[TaskRef]) -> list[list[str]]:
    """The assets each task reads, in the order they were recorded."""
    out = []
    ref_keys = [(ref.dag_id, ref.task_id) for ref in refs]
    asset_refs_by_ref = defaultdict(list)
    if ref_keys:
        for asset_ref in session.scalars(
            select(AssetRef)
            .where(tuple_(AssetRef.dag_id, AssetRef.task_id).in_(ref_keys))
            .order_by(AssetRef.id)
        ):
            asset_refs_by_ref[(asset_ref.dag_id, asset_ref.task_id)].append(asset_ref)
    for ref in refs:
        asset_refs = asset_refs_by_ref.get((ref.dag_id, ref.task_id), [])
        out.append([asset_ref.asset for asset_ref in asset_refs])
    return out
