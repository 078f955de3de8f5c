from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from pairapp.models import AssetRef, TaskRef


def assets_per_task(
    session: Session, refs: list[TaskRef], known: dict[str, list[AssetRef]]
) -> list[list[str]]:
    """The assets of each task's DAG, read once per DAG (`known` holds DAGs read before)."""
    out = []
    dag_ids = [ref.dag_id for ref in refs if ref.dag_id not in known]
    asset_refs_by_dag_id = defaultdict(list)
    if dag_ids:
        for asset_ref in session.scalars(
            select(AssetRef).where(AssetRef.dag_id.in_(dag_ids)).order_by(AssetRef.id)
        ):
            asset_refs_by_dag_id[asset_ref.dag_id].append(asset_ref)
    for ref in refs:
        if ref.dag_id not in known:
            known[ref.dag_id] = asset_refs_by_dag_id.get(ref.dag_id, [])
        out.append([asset_ref.asset for asset_ref in known[ref.dag_id]])
    return out
