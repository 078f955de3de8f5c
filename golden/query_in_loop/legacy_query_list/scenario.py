from legacyapp.models import Author

SEED = "legacyapp"


def run(module, session):
    # Mira's posts 2 and 4 tie on created_at; Ines has no posts
    authors = session.query(Author).order_by(Author.id).all()
    return module.AuthorService(session).bibliographies(authors)


def run_empty(module, session):
    return module.AuthorService(session).bibliographies([])
