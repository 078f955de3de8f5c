from sqlalchemy import func

from legacyapp.models import Post


def title_counts(session, author_ids: list[int]) -> dict[int, tuple[int, str | None]]:
    """Per author: how many published posts, and the newest one's title."""
    result = {}
    first_post_by_author_id = {}
    post_counts_by_author_id = {}
    if author_ids:
        for post in (
            session.query(Post)
            .filter(Post.published.is_(True), Post.author_id.in_(author_ids))
            .order_by(Post.created_at.desc(), Post.id.desc())
        ):
            first_post_by_author_id.setdefault(post.author_id, post)
        post_counts_by_author_id = dict(
            session.query(Post.author_id, func.count())
            .filter(Post.published.is_(True), Post.author_id.in_(author_ids))
            .group_by(Post.author_id)
            .all()
        )
    for author_id in author_ids:
        newest = first_post_by_author_id.get(author_id)
        result[author_id] = (post_counts_by_author_id.get(author_id, 0), newest.title if newest else None)
    return result
