from sqlalchemy import select
from sqlalchemy.orm import Session

from pairapp.models import AssetRef, TaskRef


def assets_per_task(
    session: Session, refs: list[TaskRef], known: dict[str, list[AssetRef]]
) -> list[list[str]]:
    """The assets of each task's DAG, read once per DAG (`known` holds DAGs read before)."""
    out = []
    for ref in refs:
        if ref.dag_id not in known:
            known[ref.dag_id] = session.scalars(
                select(AssetRef).where(AssetRef.dag_id == ref.dag_id).order_by(AssetRef.id)
            ).all()
        out.append([asset_ref.asset for asset_ref in known[ref.dag_id]])
    return out
