from sqlalchemy import update

from renderapp.models import GalleryItem


def run(module, session):
    # make all three of render 1's items private, so the loop deletes three objects
    session.execute(update(GalleryItem).where(GalleryItem.render_id == 1).values(is_public=False))
    module.withdraw_private(session, 1)
