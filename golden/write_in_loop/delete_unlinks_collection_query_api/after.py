from sqlalchemy.orm import Session, selectinload

from purgeapp.models import Folder


def drop_old_folders(session: Session) -> None:
    folders = (
        session.query(Folder)
        .options(selectinload(Folder.notes))
        .filter(Folder.name.like("old-%"))
    )
    for folder in folders:
        session.delete(folder)
    session.commit()
