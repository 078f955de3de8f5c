from sqlalchemy import exists
from sqlalchemy.orm import Session

from legacyapp.models import Author, Post


class AuthorDirectory:
    def __init__(self, session: Session):
        self.session = session

    def with_activity(self, authors: list[Author]) -> list[tuple[str, bool]]:
        return [
            (author.name, self.session.query(exists().where(Post.author_id == author.id)).scalar())
            for author in authors
        ]
