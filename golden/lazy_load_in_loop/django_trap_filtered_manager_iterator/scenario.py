import warnings


def attempt(function, *args):
    try:
        return function(*args)
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def run(module):
    # Django 5.0 raises ValueError for a prefetch_related() before iterator() without a
    # chunk_size; 4.1 and 4.2 ignore the prefetch and warn that it is deprecated. The
    # warning is an error here, so the rejected rewrite fails on every version.
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "error", "Using QuerySet.iterator\\(\\) after prefetch_related\\(\\)"
        )
        return attempt(module.published_titles)
