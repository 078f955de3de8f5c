from sqlalchemy.orm import Session

from .dal import AuthorDAO


def unknown_emails(session: Session, emails: list[str]) -> list[str]:
    """The emails of an invitation list that name no author yet."""
    unknown = []
    author_by_email = {}
    if emails:
        author_by_email = {
            author.email: author for author in AuthorDAO.find_by_emails(session, emails)
        }
    for email in emails:
        if not author_by_email.get(email):
            unknown.append(email)
    return unknown
