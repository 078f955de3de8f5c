from collections import defaultdict

from sqlalchemy import tuple_
from sqlalchemy.orm import Session

from pairapp.models import AssetRef, TaskRef


def asset_names(session: Session, refs: list[TaskRef]) -> dict[int, list[str]]:
    """Per task ref, the assets its task reads (1.x Query API code)."""
    names = {}
    ref_keys = [(ref.dag_id, ref.task_id) for ref in refs]
    asset_refs_by_ref = defaultdict(list)
    if ref_keys:
        for asset_ref in (
            session.query(AssetRef)
            .filter(tuple_(AssetRef.dag_id, AssetRef.task_id).in_(ref_keys))
            .order_by(AssetRef.id)
        ):
            asset_refs_by_ref[(asset_ref.dag_id, asset_ref.task_id)].append(asset_ref)
    for ref in refs:
        asset_refs = asset_refs_by_ref.get((ref.dag_id, ref.task_id), [])
        names[ref.id] = [asset_ref.asset for asset_ref in asset_refs]
    return names
