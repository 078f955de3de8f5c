from legacyapp.models import Post


def latest_titles(session, author_ids: list[int]) -> dict[int, str | None]:
    """The title of each author's newest published post, None for an author without one."""
    titles = {}
    first_post_by_author_id = {}
    if author_ids:
        for author_id_post in (
            session.query(Post)
            .filter(Post.published.is_(True))
            .filter(Post.author_id.in_(author_ids))
            .order_by(Post.created_at.desc(), Post.id.desc())
        ):
            first_post_by_author_id.setdefault(author_id_post.author_id, author_id_post)
    for author_id in author_ids:
        post = first_post_by_author_id.get(author_id)
        titles[author_id] = post.title if post else None
    return titles
