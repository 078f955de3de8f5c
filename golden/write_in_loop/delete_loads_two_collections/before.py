from sqlalchemy import select
from sqlalchemy.orm import Session

from purgeapp.models import Board


def delete_boards(session: Session, names: list[str]) -> None:
    for board in session.scalars(select(Board).where(Board.name.in_(names))):
        session.delete(board)
    session.flush()
