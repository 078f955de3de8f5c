from sqlalchemy.orm import Session

from legacyapp.models import Author, Post


class AuthorDirectory:
    def __init__(self, session: Session):
        self.session = session

    def with_activity(self, authors: list[Author]) -> list[tuple[str, bool]]:
        author_ids = [author.id for author in authors]
        author_ids_with_posts = set()
        if author_ids:
            author_ids_with_posts = {
                row[0]
                for row in (
                    self.session.query(Post.author_id)
                    .filter(Post.author_id.in_(author_ids))
                    .distinct()
                )
            }
        return [
            (author.name, author.id in author_ids_with_posts)
            for author in authors
        ]
