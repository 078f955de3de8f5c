from collections import defaultdict

from sqlalchemy import select, tuple_
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
    ref_keys = [
        (ref.dag_id, ref.task_id)
        for ref in refs
        if (readable is None or ref.dag_id in readable)
        and (ref.dag_id, ref.task_id) not in processed
    ]
    asset_refs_by_ref = defaultdict(list)
    if ref_keys:
        for asset_ref in session.scalars(
            select(AssetRef)
            .where(tuple_(AssetRef.dag_id, AssetRef.task_id).in_(ref_keys))
            .order_by(AssetRef.id)
        ):
            asset_refs_by_ref[(asset_ref.dag_id, asset_ref.task_id)].append(asset_ref)
    for ref in refs:
        if readable is not None and ref.dag_id not in readable:
            continue
        task_key = (ref.dag_id, ref.task_id)
        if task_key not in processed:
            processed.add(task_key)
            asset_refs = asset_refs_by_ref.get((ref.dag_id, ref.task_id), [])
            assets.extend(asset_ref.asset for asset_ref in asset_refs)
    return assets
