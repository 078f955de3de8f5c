from typing import Optional

from sqlalchemy import desc
from sqlalchemy.orm import Session

from legacyapp.models import Comment, Post


def post_index(session: Session, author_id: Optional[int] = None) -> list[dict]:
    query = session.query(Post).filter(Post.published.is_(True))
    if author_id is not None:
        query = query.filter(Post.author_id == author_id)
    posts = query.order_by(desc(Post.created_at), desc(Post.id)).all()
    entries = []
    for post in posts:
        comment_count = session.query(Comment).filter(Comment.post_id == post.id).count()
        entries.append({"id": post.id, "title": post.title, "comments": comment_count})
    return entries
