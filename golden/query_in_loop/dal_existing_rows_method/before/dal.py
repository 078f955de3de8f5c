from sqlalchemy.orm import Session

from legacyapp.models import Author


class AuthorDAO:
    @staticmethod
    def find_by_email(session: Session, email: str) -> Author | None:
        """The author with that email, or None."""
        return session.query(Author).filter(Author.email == email).first()

    @staticmethod
    def find_by_emails(session: Session, emails: list[str]) -> list[Author]:
        """The authors with those emails."""
        return session.query(Author).filter(Author.email.in_(emails)).all()
