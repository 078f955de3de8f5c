from sqlalchemy.orm import Session

from .dal import AuthorDAO


def unknown_emails(session: Session, emails: list[str]) -> list[str]:
    """The emails of an invitation list that name no author yet."""
    unknown = []
    for email in emails:
        if not AuthorDAO.find_by_email(session, email):
            unknown.append(email)
    return unknown
