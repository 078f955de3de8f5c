import logging

from sqlalchemy import delete
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem


def remove_items(session: Session, item_ids: list[int]) -> list[int]:
    failed = []
    for item_id in item_ids:
        try:
            session.execute(delete(GalleryItem).where(GalleryItem.id == item_id))
        except DBAPIError:
            logging.getLogger(__name__).warning("could not remove gallery item %s", item_id)
            failed.append(item_id)
    return failed
