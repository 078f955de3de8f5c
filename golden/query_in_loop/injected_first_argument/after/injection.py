"""Decorators that hand the decorated function its first argument, as prefect's
`@db_injector` hands each model function the database interface: callers never pass it."""

from functools import wraps


class Clock:
    """What the functions are handed: something they may read, never the caller's."""

    page = 100


def provide_clock() -> Clock:
    return Clock()


class _Injector:
    def __init__(self, func):
        object.__setattr__(self, "_func", func)

    def __call__(self, *args, **kwargs):
        clock = provide_clock()
        return self._func(clock, *args, **kwargs)


def clock_injector(func):
    return _Injector(func)


def with_clock(func):
    @wraps(func)
    def wrapper(*args, **kwargs):
        clock = provide_clock()
        return func(clock, *args, **kwargs)

    return wrapper
