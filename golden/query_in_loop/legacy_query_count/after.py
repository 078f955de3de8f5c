from typing import Optional

from sqlalchemy import desc, func
from sqlalchemy.orm import Session

from legacyapp.models import Comment, Post


def post_index(session: Session, author_id: Optional[int] = None) -> list[dict]:
    query = session.query(Post).filter(Post.published.is_(True))
    if author_id is not None:
        query = query.filter(Post.author_id == author_id)
    posts = query.order_by(desc(Post.created_at), desc(Post.id)).all()
    entries = []
    post_ids = [post.id for post in posts]
    comment_counts_by_post = {}
    if post_ids:
        comment_counts_by_post = dict(
            session.query(Comment.post_id, func.count())
            .filter(Comment.post_id.in_(post_ids))
            .group_by(Comment.post_id)
            .all()
        )
    for post in posts:
        comment_count = comment_counts_by_post.get(post.id, 0)
        entries.append({"id": post.id, "title": post.title, "comments": comment_count})
    return entries
