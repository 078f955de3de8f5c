from sqlalchemy import select

from renderapp.models import GalleryItem


def run(module, session):
    module.retitle(session, {1: "Studio jacket (front)", 5: "Harbour at dusk", 99: "gone"})
    return session.execute(select(GalleryItem.id, GalleryItem.title).order_by(GalleryItem.id)).all()
