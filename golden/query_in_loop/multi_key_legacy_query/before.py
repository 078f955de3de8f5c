from sqlalchemy.orm import Session

from pairapp.models import AssetRef, TaskRef


def asset_names(session: Session, refs: list[TaskRef]) -> dict[int, list[str]]:
    """Per task ref, the assets its task reads (1.x Query API code)."""
    names = {}
    for ref in refs:
        asset_refs = (
            session.query(AssetRef)
            .filter_by(dag_id=ref.dag_id, task_id=ref.task_id)
            .order_by(AssetRef.id)
            .all()
        )
        names[ref.id] = [asset_ref.asset for asset_ref in asset_refs]
    return names
