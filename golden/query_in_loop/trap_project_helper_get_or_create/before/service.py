from .users import create, get_by_email


def ensure_users(emails: list[str]) -> list[int]:
    ids = []
    for email in emails:
        user = get_by_email(email)
        if user is None:
            user = create(email)
        ids.append(user.id)
    return ids
