from collections import defaultdict

from sqlalchemy.orm import Session

from legacyapp.models import Author, Post


class AuthorService:
    def __init__(self, session: Session):
        self.session = session

    def bibliographies(self, authors: list[Author]) -> dict[str, list[Post]]:
        result = {}
        author_ids = [author.id for author in authors]
        posts_by_author = defaultdict(list)
        if author_ids:
            for post in (
                self.session.query(Post)
                .filter(Post.author_id.in_(author_ids))
                .order_by(Post.created_at.desc(), Post.id.desc())
            ):
                posts_by_author[post.author_id].append(post)
        for author in authors:
            result[author.email] = posts_by_author.get(author.id, [])
        return result
