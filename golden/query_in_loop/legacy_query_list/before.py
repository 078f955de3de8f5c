from sqlalchemy.orm import Session

from legacyapp.models import Author, Post


class AuthorService:
    def __init__(self, session: Session):
        self.session = session

    def bibliographies(self, authors: list[Author]) -> dict[str, list[Post]]:
        result = {}
        for author in authors:
            result[author.email] = (
                self.session.query(Post)
                .filter(Post.author_id == author.id)
                .order_by(Post.created_at.desc(), Post.id.desc())
                .all()
            )
        return result
