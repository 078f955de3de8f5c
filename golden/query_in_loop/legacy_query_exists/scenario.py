from legacyapp.models import Author

SEED = "legacyapp"


def run(module, session):
    # Ines has no posts
    authors = session.query(Author).order_by(Author.id).all()
    return module.AuthorDirectory(session).with_activity(authors)


def run_empty(module, session):
    return module.AuthorDirectory(session).with_activity([])
