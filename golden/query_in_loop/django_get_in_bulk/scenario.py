def attempt(function, *args):
    try:
        return function(*args)
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def run(module):
    # a book twice; then an id no book has: the loop stops with Book.DoesNotExist
    return [attempt(module.titles, [4, 1, 4, 8]), attempt(module.titles, [2, 99, 1])]


def run_empty(module):
    return module.titles([])
