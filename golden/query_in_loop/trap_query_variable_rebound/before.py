from legacyapp.models import Post


def latest_titles(session, author_ids: list[int], published_only: bool) -> dict[int, str | None]:
    """The title of each author's newest post (published only, if asked)."""
    titles = {}
    for author_id in author_ids:
        posts = session.query(Post)
        if published_only:
            posts = posts.filter(Post.published.is_(True))
        post = posts.filter(Post.author_id == author_id).order_by(Post.created_at.desc(), Post.id.desc()).first()
        titles[author_id] = post.title if post else None
    return titles
