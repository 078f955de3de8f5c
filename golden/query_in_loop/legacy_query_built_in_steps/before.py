from legacyapp.models import Post


def latest_titles(session, author_ids: list[int]) -> dict[int, str | None]:
    """The title of each author's newest published post, None for an author without one."""
    titles = {}
    for author_id in author_ids:
        posts = session.query(Post).filter(Post.published.is_(True))
        post = posts.filter(Post.author_id == author_id).order_by(Post.created_at.desc(), Post.id.desc()).first()
        titles[author_id] = post.title if post else None
    return titles
