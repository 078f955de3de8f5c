from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from purgeapp.models import Album


def purge_archived(session: Session) -> None:
    albums = session.scalars(
        select(Album).options(selectinload(Album.photos)).where(Album.archived)
    ).all()
    for album in albums:
        session.delete(album)
    session.flush()
