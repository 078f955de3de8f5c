from legacyapp.models import Post


def title_counts(session, author_ids: list[int]) -> dict[int, tuple[int, str | None]]:
    """Per author: how many published posts, and the newest one's title."""
    result = {}
    for author_id in author_ids:
        posts = session.query(Post).filter(Post.published.is_(True), Post.author_id == author_id)
        newest = posts.order_by(Post.created_at.desc(), Post.id.desc()).first()
        result[author_id] = (posts.count(), newest.title if newest else None)
    return result
