"""A decorator that hands the function its first argument and also records every call
(an audit trail): one batched call would record one entry where the loop recorded many."""

from functools import wraps

AUDIT: list[tuple[str, tuple]] = []


class Clock:
    page = 100


def audited(func):
    @wraps(func)
    def wrapper(*args, **kwargs):
        AUDIT.append((func.__name__, args[1:]))
        clock = Clock()
        return func(clock, *args, **kwargs)

    return wrapper
